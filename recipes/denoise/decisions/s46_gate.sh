#!/bin/bash
# Session 46's declaration 2 (recipes/denoise/decisions/session46_declaration2.md): two more
# seeds of h1's recipe (game voices only at 5 dB and more), n1 = h1 x6 + c1 + d1 and
# n2 = P2 x4 + h1 x6 + c1 + d1, against h1 on val_ood_more_seed92 (built here, after runs (c)
# and (d) have ended); m3r reported. `bash s46_gate.sh check WINNER` checks the winner
# (n1 or n2) once on val_ood_more_seed93, built then.
set -e
P=${PYTHON:-.venv/bin/python}  # run from the repository root
export AUDIOCNN_THREADS=2
P2=runs/default_session39.pt; H1=runs/default_session44.pt
RC=runs/broad16k_default_context_creatures_fillets_steady_octave_p2_highsnr_seed101
RD=runs/broad16k_default_context_creatures_fillets_steady_octave_p2_highsnr_seed102
S92=data/denoise_broad/val_ood_more_seed92; S93=data/denoise_broad/val_ood_more_seed93
if [ "$1" = check ]; then
  date >> runs/s46_gate_times.txt
  $P recipes/denoise/prepare.py --only val_ood_more --seed 93 > runs/s46_prepare_seed93.txt 2>&1
  $P recipes/denoise/judge.py "$2=runs/soup_s46_$2.pt" --against $H1 --pairs $S93 --digits 4 > runs/s46_judge_seed93.txt 2>&1
  date >> runs/s46_gate_times.txt
  exit 0
fi
date > runs/s46_gate_times.txt
$P recipes/denoise/pick.py $RC --against $P2 --average 10 --top 0 > runs/s46_pick_c.txt 2>&1
$P recipes/denoise/pick.py $RD --against $P2 --average 10 --top 0 > runs/s46_pick_d.txt 2>&1
$P recipes/denoise/prepare.py --only val_ood_more --seed 92 > runs/s46_prepare_seed92.txt 2>&1
C=$RC/averaged.pt; D=$RD/averaged.pt
$P recipes/denoise/soup.py runs/soup_s46_n1.pt $H1 $H1 $H1 $H1 $H1 $H1 $C $D > runs/s46_soup_n1.txt 2>&1
$P recipes/denoise/soup.py runs/soup_s46_n2.pt $P2 $P2 $P2 $P2 $H1 $H1 $H1 $H1 $H1 $H1 $C $D > runs/s46_soup_n2.txt 2>&1
$P recipes/denoise/judge.py n1=runs/soup_s46_n1.pt n2=runs/soup_s46_n2.pt m3r=runs/soup_s46_m3r.pt --against $H1 --pairs $S92 --digits 4 > runs/s46_judge_seed92.txt 2>&1
$P bench/denoise_transparency.py --checkpoint runs/soup_s46_n1.pt --checkpoint runs/soup_s46_n2.pt > runs/s46_gate_transparency.txt 2>&1
date >> runs/s46_gate_times.txt
