#!/bin/bash
# Session 37's second declaration (recipes/denoise/decisions/session37_declaration2.md):
# candidates h1 = H3 x2 + d1 and h2 = H3 x6 + a1 + b1 + d1 against H3, on val_ood_more_seed64
# (built here, after run (d) has ended; --resume it if a session ended first). a1 and b1 are
# the last-10 means of the first declaration's runs (seeds 78 and 79; s37_gate.sh made them).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
H=runs/gentle_session33.pt
R=runs/broad16k_gentle_context_creatures_fillets
RA=${R}_seed78; RB=${R}_seed79; RD=${R}_steady
S64=data/denoise_broad/val_ood_more_seed64
date > runs/s37b_gate_times.txt
$P recipes/denoise/pick.py $RD --against $H --average 10 --top 0 > runs/s37b_pick_d.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 64 > runs/s37b_prepare_seed64.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s37_h1.pt $H $H $RD/averaged.pt > runs/s37b_soup_h1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s37_h2.pt $H $H $H $H $H $H $RA/averaged.pt $RB/averaged.pt $RD/averaged.pt > runs/s37b_soup_h2.txt 2>&1
$P recipes/denoise/judge.py h1=runs/soup_s37_h1.pt h2=runs/soup_s37_h2.pt --against $H --pairs $S64 --digits 4 > runs/s37b_judge_h_seed64.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s37_h1.pt --checkpoint runs/soup_s37_h2.pt > runs/s37b_transparency.txt 2>&1
date >> runs/s37b_gate_times.txt
for c in h1 h2; do
  $P recipes/denoise/gap.py --pairs $S64 --checkpoint $H --other runs/soup_s37_$c.pt > runs/s37b_gap_${c}_seed64.txt 2>&1
done
date >> runs/s37b_gate_times.txt
