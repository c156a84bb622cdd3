#!/bin/bash
# Session 46's declaration (recipes/denoise/decisions/session46_declaration.md): m3 rebuilt on a
# new machine as m3r = h1 x6 + e1 + f1 (h1 = P2 x4 + a1 + b1), held to session 45's gate on
# val_ood_more_seed90 (A and B) and, only if it passes, checked once against h1 on
# val_ood_more_seed91, built after that: `bash s46_check.sh` runs the gate, then, after B is read
# in runs/s46_transparency.txt, `bash s46_check.sh check` the check.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
H1=runs/default_session44.pt
RE=runs/broad16k_default_context_creatures_fillets_steady_octave_p2_highsnr10; RF=${RE}_seed100
S90=data/denoise_broad/val_ood_more_seed90; S91=data/denoise_broad/val_ood_more_seed91
if [ "$1" = check ]; then
  grep -q "all nine above zero" runs/s46_judge_seed90.txt  # never built unless A passed
  date >> runs/s46_check_times.txt
  $P recipes/denoise/prepare.py --only val_ood_more --seed 91 > runs/s46_prepare_seed91.txt 2>&1
  $P recipes/denoise/judge.py m3r=runs/soup_s46_m3r.pt --against $H1 --pairs $S91 --digits 4 > runs/s46_judge_seed91.txt 2>&1
  date >> runs/s46_check_times.txt
  exit 0
fi
date > runs/s46_check_times.txt
$P recipes/denoise/pick.py $RE --against runs/default_session39.pt --average 10 --top 0 > runs/s46_pick_e.txt 2>&1
$P recipes/denoise/pick.py $RF --against runs/default_session39.pt --average 10 --top 0 > runs/s46_pick_f.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 90 > runs/s46_prepare_seed90.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s46_m3r.pt $H1 $H1 $H1 $H1 $H1 $H1 $RE/averaged.pt $RF/averaged.pt > runs/s46_soup_m3r.txt 2>&1
$P recipes/denoise/judge.py m3r=runs/soup_s46_m3r.pt --against $H1 --pairs $S90 --digits 4 > runs/s46_judge_seed90.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s46_m3r.pt > runs/s46_transparency.txt 2>&1
date >> runs/s46_check_times.txt
if ! grep -q "all nine above zero" runs/s46_judge_seed90.txt; then
  echo "m3r fails A on seed 90: nothing ships, seed 91 stays unbuilt"; exit 0
fi
echo "m3r passes A on seed 90 (read B in runs/s46_transparency.txt before the check)"
