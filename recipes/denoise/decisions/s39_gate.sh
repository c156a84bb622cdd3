#!/bin/bash
# Session 39's declaration (recipes/denoise/decisions/session39_declaration.md): gentle
# candidates u1 = H3 x4 + d1 + e1 + a1 + b1 and u2 = H3 x8 + d1 + e1 + a1 + b1 against K (the
# gentle weights shipped in session 38) on val_ood_more_seed74 (built here, after runs (a) and
# (b) have ended; --resume them if a session ended first). d1 and e1 are the last-10 means of
# the steady runs of seeds 81 and 82 (s37_gate2.sh and s38_gate.sh made them; pick.py remakes
# them: recipes/denoise/README.md, session 38).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
H=runs/gentle_session33.pt; K=runs/gentle_session38.pt
RD=runs/broad16k_gentle_context_creatures_fillets_steady
RE=${RD}_seed82; RA=${RD}_seed85; RB=${RD}_seed86
S74=data/denoise_broad/val_ood_more_seed74
date > runs/s39_gate_times.txt
$P recipes/denoise/pick.py $RA --against $H --average 10 --top 0 > runs/s39_pick_a.txt 2>&1
$P recipes/denoise/pick.py $RB --against $H --average 10 --top 0 > runs/s39_pick_b.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 74 > runs/s39_prepare_seed74.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_u1.pt $H $H $H $H $RD/averaged.pt $RE/averaged.pt $RA/averaged.pt $RB/averaged.pt > runs/s39_soup_u1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_u2.pt $H $H $H $H $H $H $H $H $RD/averaged.pt $RE/averaged.pt $RA/averaged.pt $RB/averaged.pt > runs/s39_soup_u2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s39_ab.pt $H $H $H $H $RA/averaged.pt $RB/averaged.pt > runs/s39_soup_ab.txt 2>&1
$P recipes/denoise/judge.py u1=runs/soup_s39_u1.pt u2=runs/soup_s39_u2.pt ab=runs/soup_s39_ab.pt --against $K --pairs $S74 --digits 4 > runs/s39_judge_u_seed74.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s39_u1.pt --checkpoint runs/soup_s39_u2.pt > runs/s39_transparency.txt 2>&1
date >> runs/s39_gate_times.txt
