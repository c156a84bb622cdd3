#!/bin/bash
# Session 38's third declaration (recipes/denoise/decisions/session38_declaration3.md): default
# candidates q1 = E3 x3 + K and q2 = E3 x4 + f1 + g1 + K x2 against E3 on val_ood_more_seed70
# (built here). K: the gentle weights shipped in session 38. f1, g1: s38_gate.sh, s38_gate2.sh.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; K=runs/gentle_session38.pt
RF=runs/broad16k_default_context_creatures_fillets_steady; RG=${RF}_seed84
S70=data/denoise_broad/val_ood_more_seed70
date > runs/s38c_gate_times.txt
git show 28af9a7:audiocnn/weights/denoiser16k_gentle.pt > $K
$P recipes/denoise/prepare.py --only val_ood_more --seed 70 > runs/s38c_prepare_seed70.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_q1.pt $E $E $E $K > runs/s38c_soup_q1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_q2.pt $E $E $E $E $RF/averaged.pt $RG/averaged.pt $K $K > runs/s38c_soup_q2.txt 2>&1
$P recipes/denoise/judge.py q1=runs/soup_s38_q1.pt q2=runs/soup_s38_q2.pt --against $E --pairs $S70 --digits 4 > runs/s38c_judge_q_seed70.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s38_q1.pt --checkpoint runs/soup_s38_q2.pt > runs/s38c_transparency.txt 2>&1
date >> runs/s38c_gate_times.txt
