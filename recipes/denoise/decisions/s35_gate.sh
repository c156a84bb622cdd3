#!/bin/bash
# Session 35's second declaration (recipes/denoise/decisions/session35_declaration2.md):
# candidates t1, t2 = E3 + t1 (default kind, against E3) and u1, u2 = H3 + u1 (gentle kind,
# against H3): runs with the game voices out of the speech. After runs (t) and (u) have ended
# (--resume them if a session ended first). The controls cb1 and db1 (session 33's third
# declaration: the game voices in the speech) are reported.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
RT=runs/broad16k_default_context_creatures_fillets; RU=runs/broad16k_gentle_context_creatures_fillets
S54=data/denoise_broad/val_ood_more_seed54
date > runs/s35_gate_times.txt
$P recipes/denoise/pick.py $RT --against $E --average 10 --top 0 > runs/s35_pick_t.txt 2>&1
$P recipes/denoise/pick.py $RU --against $H --average 10 --top 0 > runs/s35_pick_u.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 54 > runs/s35_prepare_seed54.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_t2.pt $E $RT/averaged.pt > runs/s35_soup_t2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s35_u2.pt $H $RU/averaged.pt > runs/s35_soup_u2.txt 2>&1
date >> runs/s35_gate_times.txt
$P recipes/denoise/judge.py t1=$RT/averaged.pt t2=runs/soup_s35_t2.pt --against $E --pairs $S54 --digits 4 > runs/s35_judge_t_seed54.txt 2>&1
$P recipes/denoise/judge.py u1=$RU/averaged.pt u2=runs/soup_s35_u2.pt --against $H --pairs $S54 --digits 4 > runs/s35_judge_u_seed54.txt 2>&1
date >> runs/s35_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $RT/averaged.pt --checkpoint runs/soup_s35_t2.pt --checkpoint $RU/averaged.pt --checkpoint runs/soup_s35_u2.pt > runs/s35_transparency.txt 2>&1
date >> runs/s35_gate_times.txt
# Reported, not gating
C=runs/broad16k_default_context_creatures2; D=runs/broad16k_gentle_context_creatures2
$P recipes/denoise/judge.py cb1=$C/averaged.pt --against $E --pairs $S54 --digits 4 > runs/s35_judge_cb1_seed54.txt 2>&1
$P recipes/denoise/judge.py db1=$D/averaged.pt --against $H --pairs $S54 --digits 4 > runs/s35_judge_db1_seed54.txt 2>&1
$P recipes/denoise/noise_alone.py --checkpoint $RT/averaged.pt --checkpoint $RU/averaged.pt --checkpoint runs/soup_s35_t2.pt --checkpoint runs/soup_s35_u2.pt --other "noisy input" > runs/s35_noise_alone.txt 2>&1
$P recipes/denoise/noise_alone.py --noise data/denoise_broad/train/vocal_noise --checkpoint $RT/averaged.pt --checkpoint $RU/averaged.pt --other "noisy input" > runs/s35_noise_alone_train.txt 2>&1
date >> runs/s35_gate_times.txt
