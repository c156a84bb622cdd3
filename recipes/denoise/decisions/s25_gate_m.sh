#!/bin/bash
# Session 25 declaration (recipes/denoise/decisions/session25_declaration.md): the candidates from run (m).
# After s25_gate_e.sh, which builds val_ood_more_seed14, and after run (m) has ended.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt; M=runs/broad16k_default_kept1/averaged.pt
S14=data/denoise_broad/val_ood_more_seed14
date > runs/s25_gate_m_times.txt
$P recipes/denoise/pick.py runs/broad16k_default_kept1 --against $D --average 10 --top 0 > runs/s25_pick_m.txt 2>&1
$P recipes/denoise/soup.py runs/soup_m2.pt $D $M > runs/s25_soup_m2.txt 2>&1
$P bench/denoise_transparency.py --checkpoint $M --checkpoint runs/soup_m2.pt > runs/s25_transparency_m.txt 2>&1
date >> runs/s25_gate_m_times.txt
$P recipes/denoise/judge.py m1=$M m2=runs/soup_m2.pt --against $D --pairs $S14 --digits 4 > runs/s25_judge_m_seed14.txt 2>&1
date >> runs/s25_gate_m_times.txt
