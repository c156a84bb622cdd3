#!/bin/bash
# Session 30's declaration (recipes/denoise/decisions/session30_declaration.md): candidates k1,
# k2 (default kind, against E) and h1, h2 (gentle kind, against H). After runs (k) and (h) have
# ended (resume them with --resume if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
K=runs/broad16k_default_context_speech3_lowlr; G=runs/broad16k_gentle_context2
S34=data/denoise_broad/val_ood_more_seed34
date > runs/s30_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 34 > runs/s30_prepare_seed34.txt 2>&1
$P recipes/denoise/pick.py $K --against $E --average 10 --top 0 > runs/s30_pick_k.txt 2>&1
$P recipes/denoise/pick.py $G --against $H --average 10 --top 0 > runs/s30_pick_h.txt 2>&1
$P recipes/denoise/soup.py runs/soup_k2.pt $E $K/averaged.pt > runs/s30_soup_k2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_h2.pt $H $G/averaged.pt > runs/s30_soup_h2.txt 2>&1
date >> runs/s30_gate_times.txt
$P recipes/denoise/judge.py k1=$K/averaged.pt k2=runs/soup_k2.pt --against $E --pairs $S34 --digits 4 > runs/s30_judge_k_seed34.txt 2>&1
$P recipes/denoise/judge.py h1=$G/averaged.pt h2=runs/soup_h2.pt --against $H --pairs $S34 --digits 4 > runs/s30_judge_h_seed34.txt 2>&1
date >> runs/s30_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $K/averaged.pt --checkpoint runs/soup_k2.pt --checkpoint $G/averaged.pt --checkpoint runs/soup_h2.pt > runs/s30_transparency_kh.txt 2>&1
date >> runs/s30_gate_times.txt
