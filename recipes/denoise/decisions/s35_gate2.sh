#!/bin/bash
# Session 35's third declaration, part A (recipes/denoise/decisions/session35_declaration3.md):
# candidates t3 = E3 x2 + t1 (against E3) and u3 = H3 x2 + u1 (against H3), a third of the
# second declaration's step. After s35_gate.sh (which made t1 and u1).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
RT=runs/broad16k_default_context_creatures_fillets; RU=runs/broad16k_gentle_context_creatures_fillets
S56=data/denoise_broad/val_ood_more_seed56
date > runs/s35b_gate_times.txt
$P recipes/denoise/prepare.py --only val_ood_more --seed 56 > runs/s35b_prepare_seed56.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_t3.pt $E $E $RT/averaged.pt > runs/s35b_soup_t3.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_u3.pt $H $H $RU/averaged.pt > runs/s35b_soup_u3.txt 2>&1
$P recipes/denoise/judge.py t3=runs/soup_s35_t3.pt --against $E --pairs $S56 --digits 4 > runs/s35b_judge_t3_seed56.txt 2>&1
$P recipes/denoise/judge.py u3=runs/soup_s35_u3.pt --against $H --pairs $S56 --digits 4 > runs/s35b_judge_u3_seed56.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s35_t3.pt --checkpoint runs/soup_s35_u3.pt > runs/s35b_transparency.txt 2>&1
date >> runs/s35b_gate_times.txt
