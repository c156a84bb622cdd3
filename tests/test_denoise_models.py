"""The denoisers: the lab's network exactly, and exact streaming of the mask denoiser."""

import pytest
import torch

from audiocnn.layers import MIMOFIRCNN
from audiocnn.models import FIRDenoiserConfig, build_model, count_parameters, denoiser_model


def test_seed_denoiser_is_the_labs_network():
    torch.manual_seed(0)
    model = denoiser_model(FIRDenoiserConfig.seed())
    assert count_parameters(model) == 40 * 1 * 5 + 40 * 5 * 1
    lab = MIMOFIRCNN([40, 40], [1, 5, 1])
    lab.load_state_dict(model.net.state_dict())
    x = torch.randn(3, 1, 500)
    torch.testing.assert_close(model(x), lab(x))


@pytest.mark.parametrize("block", [1, 37, 1000, 4096])
def test_mask_denoiser_streams_exactly(block):
    torch.manual_seed(1)
    config = FIRDenoiserConfig(
        bands=6,
        analysis_taps=20,
        envelope_taps=9,
        hidden=5,
        mask_taps=(3, 3),
        mask_dilations=(1, 2),
        synthesis_taps=20,
        mask_stride=4,
        delay=19,
    )
    model = denoiser_model(config).eval()
    for p in model.parameters():  # away from the gentle initialisation, so every path matters
        p.data.add_(0.3 * torch.randn_like(p))
    x = torch.randn(2, 1, 3001)
    with torch.no_grad():
        offline = model(x)
        state, pieces = None, []
        for start in range(0, x.shape[-1], block):
            y, state = model.stream(x[..., start : start + block], state)
            pieces.append(y)
    torch.testing.assert_close(torch.cat(pieces, -1), offline, rtol=1e-5, atol=1e-5)


def test_mask_denoiser_is_causal_and_rebuilds_from_its_config():
    model = denoiser_model(FIRDenoiserConfig()).eval()
    x = torch.randn(1, 1, 4000)
    changed = x.clone()
    changed[..., 3000:] += 1.0
    with torch.no_grad():
        torch.testing.assert_close(model(changed)[..., :3000], model(x)[..., :3000])
    from dataclasses import asdict

    again = build_model("FIRDenoiser", asdict(FIRDenoiserConfig()))
    again.load_state_dict(model.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(again(x), model(x))
