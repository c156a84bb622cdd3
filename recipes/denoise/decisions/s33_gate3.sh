#!/bin/bash
# Session 33's third declaration (recipes/denoise/decisions/session33_declaration3.md):
# candidates cb1, cb2 (default kind, against E3) and db1, db2 (gentle kind, against H3).
# After runs (cb) and (db) have ended (--resume them if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
C=runs/broad16k_default_context_creatures2; D=runs/broad16k_gentle_context_creatures2
S48=data/denoise_broad/val_ood_more_seed48
date > runs/s33c_gate_times.txt
$P recipes/denoise/pick.py $C --against $E --average 10 --top 0 > runs/s33c_pick_c.txt 2>&1
$P recipes/denoise/pick.py $D --against $H --average 10 --top 0 > runs/s33c_pick_d.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 48 > runs/s33c_prepare_seed48.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_c2b.pt $E $C/averaged.pt > runs/s33c_soup_c2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_d2b.pt $H $D/averaged.pt > runs/s33c_soup_d2.txt 2>&1
date >> runs/s33c_gate_times.txt
$P recipes/denoise/judge.py cb1=$C/averaged.pt cb2=runs/soup_s33_c2b.pt --against $E --pairs $S48 --digits 4 > runs/s33c_judge_c_seed48.txt 2>&1
$P recipes/denoise/judge.py db1=$D/averaged.pt db2=runs/soup_s33_d2b.pt --against $H --pairs $S48 --digits 4 > runs/s33c_judge_d_seed48.txt 2>&1
date >> runs/s33c_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $C/averaged.pt --checkpoint runs/soup_s33_c2b.pt --checkpoint $D/averaged.pt --checkpoint runs/soup_s33_d2b.pt > runs/s33c_transparency.txt 2>&1
date >> runs/s33c_gate_times.txt
# Reported, not gating
$P recipes/denoise/noise_alone.py --checkpoint $C/averaged.pt --checkpoint $D/averaged.pt > runs/s33c_noise_alone.txt 2>&1
$P recipes/denoise/gap.py --pairs $S48 --checkpoint $E --other runs/soup_s33_c2b.pt > runs/s33c_gap_c2_seed48.txt 2>&1
date >> runs/s33c_gate_times.txt
