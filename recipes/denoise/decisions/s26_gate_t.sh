#!/bin/bash
# Session 26, first declaration (recipes/denoise/decisions/session26_declaration.md): the
# candidates of the harmonic-noise step (t). After run (t) has ended.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt; T=runs/broad16k_default_tonal/averaged.pt
S20=data/denoise_broad/val_ood_more_seed20
date > runs/s26_gate_t_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 20 > runs/s26_prepare_seed20.txt 2>&1
$P recipes/denoise/pick.py runs/broad16k_default_tonal --against $D --average 10 --top 0 > runs/s26_pick_t.txt 2>&1
$P recipes/denoise/soup.py runs/soup_t2.pt $D $T > runs/s26_soup_t2.txt 2>&1
date >> runs/s26_gate_t_times.txt
$P recipes/denoise/judge.py t1=$T t2=runs/soup_t2.pt --against $D --pairs $S20 --digits 4 > runs/s26_judge_t_seed20.txt 2>&1
date >> runs/s26_gate_t_times.txt
$P bench/denoise_transparency.py --checkpoint $T --checkpoint runs/soup_t2.pt > runs/s26_transparency_t.txt 2>&1
date >> runs/s26_gate_t_times.txt
