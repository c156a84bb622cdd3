#!/bin/bash
# Session 36's second declaration (recipes/denoise/decisions/session36_declaration2.md):
# candidates z1, z2 = E3 + z1, z3 = E3 x2 + z1 (default kind, against E3): fillets alone in the
# speech with SNRs up to 20 dB. After run (z) has ended (--resume it if a session ended first).
# The check of a winner: judge.py on prepare.py --only val_ood_more --seed 62.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; RZ=runs/broad16k_default_context_creatures_fillets_snr20
S61=data/denoise_broad/val_ood_more_seed61
date > runs/s36b_gate_times.txt
$P recipes/denoise/pick.py $RZ --against $E --average 10 --top 0 > runs/s36b_pick_z.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 61 > runs/s36b_prepare_seed61.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s36_z2.pt $E $RZ/averaged.pt > runs/s36b_soup_z2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s36_z3.pt $E $E $RZ/averaged.pt > runs/s36b_soup_z3.txt 2>&1
$P recipes/denoise/judge.py z1=$RZ/averaged.pt z2=runs/soup_s36_z2.pt z3=runs/soup_s36_z3.pt --against $E --pairs $S61 --digits 4 > runs/s36b_judge_z_seed61.txt 2>&1
date >> runs/s36b_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $RZ/averaged.pt --checkpoint runs/soup_s36_z2.pt --checkpoint runs/soup_s36_z3.pt > runs/s36b_transparency.txt 2>&1
date >> runs/s36b_gate_times.txt
