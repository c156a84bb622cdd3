#!/bin/bash
# Session 29's second declaration (recipes/denoise/decisions/session29_declaration.md): the
# gentle step with the 1 s context branch, candidates g1 and g2 = G + g1. After run (g) has
# ended (resume it with --resume if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
G=runs/gentle_session25.pt
R=runs/broad16k_gentle_context
S32=data/denoise_broad/val_ood_more_seed32
date > runs/s29_gate_g_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 32 > runs/s29_prepare_seed32.txt 2>&1
$P recipes/denoise/pick.py $R --against $G --average 10 --top 0 > runs/s29_pick_g.txt 2>&1
$P recipes/denoise/soup.py runs/soup_g2.pt $G $R/averaged.pt > runs/s29_soup_g2.txt 2>&1
date >> runs/s29_gate_g_times.txt
$P recipes/denoise/judge.py g1=$R/averaged.pt g2=runs/soup_g2.pt --against $G --pairs $S32 --digits 4 > runs/s29_judge_g_seed32.txt 2>&1
date >> runs/s29_gate_g_times.txt
$P bench/denoise_transparency.py --checkpoint $R/averaged.pt --checkpoint runs/soup_g2.pt > runs/s29_transparency_g.txt 2>&1
date >> runs/s29_gate_g_times.txt
