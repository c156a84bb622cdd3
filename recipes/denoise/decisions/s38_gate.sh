#!/bin/bash
# Session 38's declaration (recipes/denoise/decisions/session38_declaration.md): gentle
# candidates k1 = H3 x4 + d1 + e1 and k2 = H3 x2 + d1 + e1 against H3, default candidates
# m1 = E3 + f1 and m2 = E3 x2 + f1 against E3, on val_ood_more_seed66 (built here, after runs
# (e) and (f) have ended; --resume them if a session ended first). d1 is the last-10 mean of
# session 37's steady run (seed 81; s37_gate2.sh made it).
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
RD=runs/broad16k_gentle_context_creatures_fillets_steady
RE=${RD}_seed82; RF=runs/broad16k_default_context_creatures_fillets_steady
S66=data/denoise_broad/val_ood_more_seed66
date > runs/s38_gate_times.txt
$P recipes/denoise/pick.py $RE --against $H --average 10 --top 0 > runs/s38_pick_e.txt 2>&1
$P recipes/denoise/pick.py $RF --against $E --average 10 --top 0 > runs/s38_pick_f.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 66 > runs/s38_prepare_seed66.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_k1.pt $H $H $H $H $RD/averaged.pt $RE/averaged.pt > runs/s38_soup_k1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_k2.pt $H $H $RD/averaged.pt $RE/averaged.pt > runs/s38_soup_k2.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_e.pt $H $H $RE/averaged.pt > runs/s38_soup_e.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_m1.pt $E $RF/averaged.pt > runs/s38_soup_m1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s38_m2.pt $E $E $RF/averaged.pt > runs/s38_soup_m2.txt 2>&1
$P recipes/denoise/judge.py k1=runs/soup_s38_k1.pt k2=runs/soup_s38_k2.pt e=runs/soup_s38_e.pt --against $H --pairs $S66 --digits 4 > runs/s38_judge_k_seed66.txt 2>&1
$P recipes/denoise/judge.py m1=runs/soup_s38_m1.pt m2=runs/soup_s38_m2.pt --against $E --pairs $S66 --digits 4 > runs/s38_judge_m_seed66.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s38_k1.pt --checkpoint runs/soup_s38_k2.pt --checkpoint runs/soup_s38_m1.pt --checkpoint runs/soup_s38_m2.pt > runs/s38_transparency.txt 2>&1
date >> runs/s38_gate_times.txt
