#!/bin/bash
# Session 33's second declaration (recipes/denoise/decisions/session33_declaration2.md):
# candidates c1, c2 (default kind) and d1, d2 (gentle kind), each against the weights of its
# kind shipped when scored: E and H unless the first declaration shipped (then pass them as
# E=... H=... in the environment). After runs (c) and (d) have ended (--resume them if cut short).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=${E:-runs/default_session29.pt}; H=${H:-runs/gentle_session30.pt}
C=runs/broad16k_default_context_creatures; D=runs/broad16k_gentle_context_creatures
S46=data/denoise_broad/val_ood_more_seed46
date > runs/s33b_gate_times.txt
$P recipes/denoise/pick.py $C --against $E --average 10 --top 0 > runs/s33b_pick_c.txt 2>&1
$P recipes/denoise/pick.py $D --against $H --average 10 --top 0 > runs/s33b_pick_d.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 46 > runs/s33b_prepare_seed46.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_c2.pt $E $C/averaged.pt > runs/s33b_soup_c2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s33_d2.pt $H $D/averaged.pt > runs/s33b_soup_d2.txt 2>&1
date >> runs/s33b_gate_times.txt
$P recipes/denoise/judge.py c1=$C/averaged.pt c2=runs/soup_s33_c2.pt --against $E --pairs $S46 --digits 4 > runs/s33b_judge_c_seed46.txt 2>&1
$P recipes/denoise/judge.py d1=$D/averaged.pt d2=runs/soup_s33_d2.pt --against $H --pairs $S46 --digits 4 > runs/s33b_judge_d_seed46.txt 2>&1
date >> runs/s33b_gate_times.txt
$P bench/denoise_transparency.py --checkpoint $C/averaged.pt --checkpoint runs/soup_s33_c2.pt --checkpoint $D/averaged.pt --checkpoint runs/soup_s33_d2.pt > runs/s33b_transparency.txt 2>&1
date >> runs/s33b_gate_times.txt
# Reported, not gating
$P recipes/denoise/noise_alone.py --checkpoint $C/averaged.pt --checkpoint $D/averaged.pt > runs/s33b_noise_alone.txt 2>&1
$P recipes/denoise/gap.py --pairs $S46 --checkpoint $E --other $C/averaged.pt > runs/s33b_gap_c1_seed46.txt 2>&1
date >> runs/s33b_gate_times.txt
