#!/bin/bash
# Session 44: the shipping figures of h1 (session44_declaration.md), shipped as the default
# weights, against P2, the default it replaces (session 39's). Run from the repository root
# after ship.py has written audiocnn/weights/denoiser16k.pt.
set -e
P=${PYTHON:-.venv/bin/python}
export AUDIOCNN_THREADS=2
E=runs/default_session39.pt   # git show cefc683:audiocnn/weights/denoiser16k.pt > runs/default_session39.pt
D=audiocnn/weights/denoiser16k.pt
date > runs/s44_ship_times.txt
$P -m audiocnn.denoise compare --pairs data/denoise_broad/val_ood --checkpoint $E --limit-db 20 > runs/s44_compare.txt 2> runs/s44_compare.err
date >> runs/s44_ship_times.txt
$P recipes/denoise/judge.py default=$D --against $E --pairs data/speech16k/val --digits 3 > runs/s44_judge_indist_default.txt 2>&1
$P recipes/denoise/judge.py default=$D --against $E --pairs data/denoise_broad/val_ood_more --digits 3 > runs/s44_judge_more_default.txt 2>&1
$P bench/denoise_transparency.py --limit-db 20 > runs/s44_transparency_shipped.txt 2>&1
$P recipes/denoise/noise_alone.py --checkpoint $E --checkpoint $D > runs/s44_noise_alone.txt 2>&1
date >> runs/s44_ship_times.txt
