#!/bin/bash
# Session 28, second declaration (recipes/denoise/decisions/session27_declaration.md): the
# candidates of the step from s2 (u2, v2, w). After runs (u) and (v) have ended (resume them
# with --resume if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt; S2=runs/soup_s2.pt
U=runs/broad16k_default_context_speech2; V=runs/broad16k_default_context_speech2_seed44
S28=data/denoise_broad/val_ood_more_seed28
date > runs/s28_gate_uv_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 28 > runs/s28_prepare_seed28.txt 2>&1
$P recipes/denoise/pick.py $U --against $D --average 10 --top 0 > runs/s28_pick_u.txt 2>&1
$P recipes/denoise/pick.py $V --against $D --average 10 --top 0 > runs/s28_pick_v.txt 2>&1
$P recipes/denoise/soup.py runs/soup_u2.pt $S2 $U/averaged.pt > runs/s28_soup_u2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_v2.pt $S2 $V/averaged.pt > runs/s28_soup_v2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_uv.pt $U/averaged.pt $V/averaged.pt > runs/s28_soup_uv.txt 2>&1
$P recipes/denoise/soup.py runs/soup_w.pt $S2 runs/soup_uv.pt > runs/s28_soup_w.txt 2>&1
date >> runs/s28_gate_uv_times.txt
$P recipes/denoise/judge.py u2=runs/soup_u2.pt v2=runs/soup_v2.pt w=runs/soup_w.pt --against $D --pairs $S28 --digits 4 > runs/s28_judge_uv_seed28.txt 2>&1
date >> runs/s28_gate_uv_times.txt
$P bench/denoise_transparency.py --checkpoint runs/soup_u2.pt --checkpoint runs/soup_v2.pt --checkpoint runs/soup_w.pt > runs/s28_transparency_uv.txt 2>&1
date >> runs/s28_gate_uv_times.txt
