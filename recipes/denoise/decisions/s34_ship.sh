#!/bin/bash
# Session 34: the figures for the READMEs once a GRU candidate has passed its check and
# shipped (session34_declaration.md), against the weights it replaces (E3, H3). Run from the
# repository root after ship.py. The real-time factor with one core busy decides too (<= 0.01).
set -e
P=${PYTHON:-.venv/bin/python}
export AUDIOCNN_THREADS=2
E=runs/default_session33.pt; H=runs/gentle_session33.pt
date > runs/s34_ship_times.txt
$P bench/denoise_speed.py --seconds 120 --checkpoint $E --busy 1 > runs/s34_speed.txt 2>&1
date >> runs/s34_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --checkpoint $E --checkpoint $H --limit-db 20 > runs/s34_compare.txt 2> runs/s34_compare.err
date >> runs/s34_ship_times.txt
$P recipes/denoise/judge.py default=audiocnn/weights/denoiser16k.pt --against $E --pairs data/speech16k/val --digits 3 > runs/s34_judge_indist_default.txt 2>&1
$P recipes/denoise/judge.py gentle=audiocnn/weights/denoiser16k_gentle.pt --against $H --pairs data/speech16k/val --digits 3 > runs/s34_judge_indist_gentle.txt 2>&1
$P recipes/denoise/judge.py default=audiocnn/weights/denoiser16k.pt --against $E --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s34_judge_more_default.txt 2>&1
$P recipes/denoise/judge.py gentle=audiocnn/weights/denoiser16k_gentle.pt --against $H --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s34_judge_more_gentle.txt 2>&1
$P bench/denoise_transparency.py --limit-db 20 > runs/s34_transparency_shipped.txt 2>&1
date >> runs/s34_ship_times.txt
