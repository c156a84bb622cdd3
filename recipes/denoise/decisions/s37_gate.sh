#!/bin/bash
# Session 37's declaration (recipes/denoise/decisions/session37_declaration.md): candidates
# g1 = H3 x3 + a1 + b1 + c1 and g2 = H3 x6 + a1 + b1 + c1 against H3, on val_ood_more_seed62
# (built here, after runs (a), (b) and (c) have ended; --resume them if a session ended first).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
H=runs/gentle_session33.pt
R=runs/broad16k_gentle_context_creatures_fillets
RA=${R}_seed78; RB=${R}_seed79; RC=${R}_seed80
S62=data/denoise_broad/val_ood_more_seed62
date > runs/s37_gate_times.txt
for r in $RA $RB $RC; do
  $P recipes/denoise/pick.py $r --against $H --average 10 --top 0 > runs/s37_pick_$(basename $r).txt 2>&1
done
$P recipes/denoise/prepare.py --only val_ood_more --seed 62 > runs/s37_prepare_seed62.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s37_g1.pt $H $H $H $RA/averaged.pt $RB/averaged.pt $RC/averaged.pt > runs/s37_soup_g1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s37_g2.pt $H $H $H $H $H $H $RA/averaged.pt $RB/averaged.pt $RC/averaged.pt > runs/s37_soup_g2.txt 2>&1
$P recipes/denoise/judge.py g1=runs/soup_s37_g1.pt g2=runs/soup_s37_g2.pt --against $H --pairs $S62 --digits 4 > runs/s37_judge_g_seed62.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s37_g1.pt --checkpoint runs/soup_s37_g2.pt > runs/s37_transparency.txt 2>&1
date >> runs/s37_gate_times.txt
