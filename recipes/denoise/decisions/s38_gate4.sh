#!/bin/bash
# Session 38's fourth declaration (recipes/denoise/decisions/session38_declaration4.md): default
# candidates r1 = E3 x3 + f1 + g1 + K x2 and r2 = E3 x2 + f1 + g1 + K x2 against E3 on
# val_ood_more_seed72 (built here). K: the gentle weights shipped in session 38. f1, g1: s38_gate.sh, s38_gate2.sh.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; K=runs/gentle_session38.pt
RF=runs/broad16k_default_context_creatures_fillets_steady; RG=${RF}_seed84
S72=data/denoise_broad/val_ood_more_seed72
date > runs/s38d_gate_times.txt
test -f $K || git show 28af9a7:audiocnn/weights/denoiser16k_gentle.pt > $K
$P recipes/denoise/prepare.py --only val_ood_more --seed 72 > runs/s38d_prepare_seed72.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_r1.pt $E $E $E $RF/averaged.pt $RG/averaged.pt $K $K > runs/s38d_soup_r1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_r2.pt $E $E $RF/averaged.pt $RG/averaged.pt $K $K > runs/s38d_soup_r2.txt 2>&1
$P recipes/denoise/judge.py r1=runs/soup_s38_r1.pt r2=runs/soup_s38_r2.pt --against $E --pairs $S72 --digits 4 > runs/s38d_judge_r_seed72.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s38_r1.pt --checkpoint runs/soup_s38_r2.pt > runs/s38d_transparency.txt 2>&1
date >> runs/s38d_gate_times.txt
