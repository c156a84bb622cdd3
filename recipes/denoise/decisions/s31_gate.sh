#!/bin/bash
# Session 31's declaration (recipes/denoise/decisions/session31_declaration.md): candidates w1,
# w2 (default kind, against E) and v1, v2 (gentle kind, against H). After runs (w) and (v) have
# ended (resume them with --resume if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
W=runs/broad16k_default_context_wide_df; V=runs/broad16k_gentle_context_wide_df
S36=data/denoise_broad/val_ood_more_seed36
date > runs/s31_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 36 > runs/s31_prepare_seed36.txt 2>&1
$P recipes/denoise/pick.py $W --against $E --average 10 --top 0 > runs/s31_pick_w.txt 2>&1
$P recipes/denoise/pick.py $V --against $H --average 10 --top 0 > runs/s31_pick_v.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s31_w2.pt $E $W/averaged.pt > runs/s31_soup_w2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s31_v2.pt $H $V/averaged.pt > runs/s31_soup_v2.txt 2>&1
date >> runs/s31_gate_times.txt
$P recipes/denoise/judge.py w1=$W/averaged.pt w2=runs/soup_s31_w2.pt --against $E --pairs $S36 --digits 4 > runs/s31_judge_w_seed36.txt 2>&1
$P recipes/denoise/judge.py v1=$V/averaged.pt v2=runs/soup_s31_v2.pt --against $H --pairs $S36 --digits 4 > runs/s31_judge_v_seed36.txt 2>&1
date >> runs/s31_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $W/averaged.pt --checkpoint runs/soup_s31_w2.pt --checkpoint $V/averaged.pt --checkpoint runs/soup_s31_v2.pt > runs/s31_transparency_wv.txt 2>&1
date >> runs/s31_gate_times.txt
