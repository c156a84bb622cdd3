#!/bin/bash
# Session 33: c2 and d2 ship (session33_declaration2.md); the figures for the READMEs, against
# the weights they replace (E and H). Run from the repository root after ship.py.
set -e
P=${PYTHON:-.venv/bin/python}
export AUDIOCNN_THREADS=2
E=runs/default_session29.pt; H=runs/gentle_session30.pt
date > runs/s33_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --checkpoint $E --checkpoint $H --limit-db 20 > runs/s33_compare.txt 2> runs/s33_compare.err
date >> runs/s33_ship_times.txt
$P recipes/denoise/judge.py default=audiocnn/weights/denoiser16k.pt --against $E --pairs data/speech16k/val --digits 3 > runs/s33_judge_indist_default.txt 2>&1
$P recipes/denoise/judge.py gentle=audiocnn/weights/denoiser16k_gentle.pt --against $H --pairs data/speech16k/val --digits 3 > runs/s33_judge_indist_gentle.txt 2>&1
date >> runs/s33_ship_times.txt
# and on val_ood_more and clean speech (added after the lines above had run)
$P recipes/denoise/judge.py default=audiocnn/weights/denoiser16k.pt --against $E --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s33_judge_more_default.txt 2>&1
$P recipes/denoise/judge.py gentle=audiocnn/weights/denoiser16k_gentle.pt --against $H --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s33_judge_more_gentle.txt 2>&1
$P bench/denoise_transparency.py --limit-db 20 > runs/s33_transparency_shipped.txt 2>&1
date >> runs/s33_ship_times.txt
