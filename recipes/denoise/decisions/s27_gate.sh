#!/bin/bash
# Session 27, first declaration (recipes/denoise/decisions/session27_declaration.md): the
# candidates of the context step (c) and of its control with 2 s windows alone (l). After both
# runs have ended.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
D=runs/default_session23.pt
C=runs/broad16k_default_context/averaged.pt; L=runs/broad16k_default_long/averaged.pt
S22=data/denoise_broad/val_ood_more_seed22
date > runs/s27_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 22 > runs/s27_prepare_seed22.txt 2>&1
for R in context long; do
  $P recipes/denoise/pick.py runs/broad16k_default_$R --against $D --average 10 --top 0 > runs/s27_pick_$R.txt 2>&1
done
$P recipes/denoise/soup.py runs/soup_c2.pt $D $C > runs/s27_soup_c2.txt 2>&1  # D fitted to c's design
$P recipes/denoise/soup.py runs/soup_l2.pt $D $L > runs/s27_soup_l2.txt 2>&1
date >> runs/s27_gate_times.txt
$P recipes/denoise/judge.py c1=$C c2=runs/soup_c2.pt l1=$L l2=runs/soup_l2.pt --against $D --pairs $S22 --digits 4 > runs/s27_judge_seed22.txt 2>&1
date >> runs/s27_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $C --checkpoint runs/soup_c2.pt --checkpoint $L --checkpoint runs/soup_l2.pt > runs/s27_transparency.txt 2>&1
date >> runs/s27_gate_times.txt
# Reported, deciding nothing: what the branch adds over the 2 s windows alone
$P recipes/denoise/judge.py c1=$C --against $L --pairs $S22 --digits 4 > runs/s27_judge_c1_vs_l1_seed22.txt 2>&1
date >> runs/s27_gate_times.txt
