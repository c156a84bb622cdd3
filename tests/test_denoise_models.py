"""The denoisers: the lab's network exactly, exact streaming of the spectral and mask denoisers."""

from dataclasses import replace

import pytest
import torch

from audiocnn.config import ConfigError
from audiocnn.layers import MIMOFIRCNN
from audiocnn.models import (
    MaskFIRDenoiserConfig,
    SeedFIRDenoiserConfig,
    SpectralMaskDenoiserConfig,
    build_model,
    count_parameters,
    model_of,
)


def test_seed_denoiser_is_the_labs_network():
    torch.manual_seed(0)
    model = model_of(SeedFIRDenoiserConfig())
    assert count_parameters(model) == 40 * 1 * 5 + 40 * 5 * 1
    lab = MIMOFIRCNN([40, 40], [1, 5, 1])
    lab.load_state_dict(model.net.state_dict())
    x = torch.randn(3, 1, 500)
    torch.testing.assert_close(model(x), lab(x))


@pytest.mark.parametrize("block", [1, 37, 1000, 4096])
def test_mask_denoiser_streams_exactly(block):
    torch.manual_seed(1)
    config = MaskFIRDenoiserConfig(
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
    model = model_of(config).eval()
    for p in model.parameters():  # away from the gentle initialisation, so every path matters
        p.data.add_(0.3 * torch.randn_like(p))
    x = torch.randn(2, 1, 3001)
    offline, streamed = offline_and_streamed(model, x, block)
    torch.testing.assert_close(streamed, offline, rtol=1e-5, atol=1e-5)


def offline_and_streamed(model, x: torch.Tensor, block: int):
    """The model on the whole of ``x``, and on ``x`` in blocks with the state carried."""
    with torch.no_grad():
        state, pieces = None, []
        for start in range(0, x.shape[-1], block):
            y, state = model.stream(x[..., start : start + block], state)
            pieces.append(y)
        return model(x), torch.cat(pieces, -1)


SMALL_SPECTRAL = SpectralMaskDenoiserConfig(  # the default (spectral) design, small
    frame_taps=64,
    hop=16,
    spectral_hidden=8,
    spectral_taps=(3, 2),
    spectral_dilations=(1, 4),
    spectral_bands=8,
    deep_filter_bins=9,
)


def small_spectral(**changes) -> torch.nn.Module:
    return model_of(replace(SMALL_SPECTRAL, **changes)).double().eval()


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"deep_filter_bins": 0},
        {"spectral_inputs": "bins", "deep_filter_bins": 0},
        {"spectral_context": 20},
        {"spectral_context": 40, "pitch_features": True, "pitch_lags": (4, 40)},  # FFT offline
        {"deep_filter_taps": 4},
        {"spectral_context": 5, "deep_filter_bins": 33, "deep_filter_taps": 1},
        {"spectral_lookahead": 2, "deep_filter_taps": 4},
        {"spectral_lookahead": 3, "deep_filter_bins": 0},
        {"noise_floor_features": True, "level_normalise": True, "gain_floor_db": -25.0},
        {"noise_floor_features": True, "spectral_inputs": "bins", "deep_filter_bins": 0},
        {"spectral_recurrent": 6},
        {"spectral_recurrent": 6, "spectral_context": 5, "noise_floor_features": True},
        {"pitch_features": True, "pitch_lags": (4, 40)},
        {"pitch_features": True, "pitch_lags": (8, 8), "spectral_lookahead": 2},
    ],
)
@pytest.mark.parametrize("block", [1, 15, 16, 17, 1000, 3001])
def test_spectral_denoiser_streams_exactly(block, options):
    torch.manual_seed(2)
    model = small_spectral(**options)
    for p in model.parameters():  # away from the open-gate initialisation
        p.data.add_(0.3 * torch.randn_like(p))
    offline, streamed = offline_and_streamed(
        model, torch.randn(2, 1, 3001, dtype=torch.float64), block
    )
    torch.testing.assert_close(streamed, offline, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "frame_taps,hop,lookahead", [(64, 16, 0), (64, 32, 0), (512, 128, 0), (64, 16, 2)]
)
def test_spectral_denoiser_with_open_gates_is_an_exact_delay(frame_taps, hop, lookahead):
    # The analysis and synthesis banks reconstruct perfectly: all the change is the gains'.
    model = small_spectral(frame_taps=frame_taps, hop=hop, spectral_lookahead=lookahead)
    with torch.no_grad():
        model.gains.layers[-1].bias[: model.gain_outputs].fill_(1e3)  # sigmoid -> 1
        x = torch.randn(3, 1, 2000, dtype=torch.float64)
        y = model(x)
    delay = frame_taps - 1 + hop * lookahead
    assert model.delay == delay
    torch.testing.assert_close(y[..., delay:], x[..., :-delay], rtol=0, atol=1e-12)
    torch.testing.assert_close(y[..., :delay], torch.zeros_like(y[..., :delay]))


@pytest.mark.parametrize("config", [MaskFIRDenoiserConfig(), SpectralMaskDenoiserConfig()])
def test_denoisers_are_causal_and_rebuild_from_their_config(config):
    model = model_of(config).eval()
    x = torch.randn(1, 1, 4000)
    changed = x.clone()
    changed[..., 3000:] += 1.0
    with torch.no_grad():
        torch.testing.assert_close(model(changed)[..., :3000], model(x)[..., :3000])
    from dataclasses import asdict

    again = build_model(type(config).model_name, asdict(config))
    again.load_state_dict(model.state_dict())
    with torch.no_grad():
        torch.testing.assert_close(again(x), model(x))


@pytest.mark.parametrize(
    "bands,inputs,widths", [(8, "bands", (8, 8)), (8, "bins", (33, 8)), (0, "bins", (33, 33))]
)
def test_spectral_gain_network_sees_bands_or_bins_and_gives_a_gain_per_band(bands, inputs, widths):
    model = small_spectral(spectral_bands=bands, spectral_inputs=inputs, deep_filter_bins=0)
    first, last = model.gains.layers[0].taps, model.gains.layers[-1].taps  # (taps, F, G)
    assert (first.shape[1], last.shape[2]) == widths
    with torch.no_grad():
        assert model(torch.randn(1, 1, 500, dtype=torch.float64)).shape == (1, 1, 500)


def test_spectral_context_branch_starts_as_a_moving_average_of_each_input():
    model = small_spectral(spectral_context=5, deep_filter_bins=0)
    assert model.gains.layers[0].taps.shape[1] == 2 * 8  # the inputs and their summaries
    features = torch.randn(2, 8, 40, dtype=torch.float64)
    summary = model.context_fir(features)
    padded = torch.nn.functional.pad(features, (4, 0))
    expected = padded.unfold(-1, 5, 1).mean(-1)
    torch.testing.assert_close(summary, expected)


def test_recurrent_branch_starts_silent_and_then_remembers_the_start():
    torch.manual_seed(5)
    plain = small_spectral(noise_floor_features=True)
    recurrent = small_spectral(noise_floor_features=True, spectral_recurrent=6)
    missing = recurrent.load_state_dict(plain.state_dict(), strict=False).missing_keys
    assert missing and all(k.startswith(("recurrent.", "recurrent_out.")) for k in missing)
    x = torch.randn(1, 1, 3000, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(recurrent(x), plain(x), rtol=0, atol=0)
        recurrent.recurrent_out.weight.normal_()
        changed = x.clone()
        changed[..., :500] *= 3  # only the first 500 samples differ
        late = slice(2000, None)  # past the FIR gain network's reach (< 30 frames of 16)
        assert not torch.allclose(recurrent(changed)[..., late], recurrent(x)[..., late])
        torch.testing.assert_close(plain(changed)[..., late], plain(x)[..., late])


def _starts_as(narrower, wider, tmp_path):
    """Train-like weights for ``narrower`` (perturbed), loaded into ``wider`` as ``[train]
    init`` loads them: both must give the same output."""
    from audiocnn import checkpoint
    from audiocnn.train import _initialise

    with torch.no_grad():
        for p in narrower.parameters():
            p.add_(0.3 * torch.randn_like(p))
    path = tmp_path / "narrower.pt"
    weights = {"model_name": "SpectralMaskDenoiser", "state_dict": narrower.state_dict()}
    checkpoint.save(path, weights)
    _initialise(wider, path, {"model_name": "SpectralMaskDenoiser"}, verbose=False)
    x = torch.randn(1, 1, 2000, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(wider(x), narrower(x), rtol=0, atol=1e-12)  # zero taps in
    return x


def test_pitch_features_find_the_period_and_start_from_weights_without_them(tmp_path):
    torch.manual_seed(3)
    plain = small_spectral(noise_floor_features=True)
    pitched = small_spectral(noise_floor_features=True, pitch_features=True, pitch_lags=(4, 40))
    _starts_as(plain, pitched, tmp_path)
    # a 25-sample period: every band of a frame matches the frame 25 samples earlier
    period = torch.randn(25, dtype=torch.float64).repeat(12)[None, None]  # 300 samples
    n, lag = pitched.frame_taps, pitched.max_lag
    signal = torch.cat([torch.zeros(1, 1, 99, dtype=torch.float64), period], -1)[0]
    frames = signal[:, lag:].unfold(-1, n, 16)  # (1, frames, n)
    spectrum = torch.fft.rfft(frames * pitched.window, dim=-1)
    power = (spectrum.abs().square()) @ pitched.band_weights
    found = pitched._pitch_match(signal, spectrum, power)[0, -1]  # the last frame: all periodic
    assert found.shape == (8 + 1,)
    torch.testing.assert_close(found, torch.ones_like(found), rtol=0, atol=1e-6)
    with pytest.raises(ConfigError, match="pitch_lags"):
        replace(SMALL_SPECTRAL, pitch_lags=(10, 5))


def test_pitch_match_equals_a_loop_over_frames_and_periods():
    # The model sums each frame's correlations from hop-long chunks shared between frames and
    # its energies from one cumulative sum; this is the definition, frame by frame.
    torch.manual_seed(4)
    model = small_spectral(noise_floor_features=True, pitch_features=True, pitch_lags=(4, 40))
    n, hop, lag, low = model.frame_taps, model.hop, model.max_lag, model.min_lag
    signal = torch.randn(2, lag + 9 * hop + n + 5, dtype=torch.float64)  # 10 frames, 5 spare
    frames = signal[:, lag:].unfold(-1, n, hop)[:, :10]
    spectrum = torch.fft.rfft(frames * model.window, dim=-1)
    power = spectrum.abs().square() @ model.band_weights
    got = model._pitch_match(signal, spectrum, power)
    for b in range(2):
        for k in range(10):
            start = lag + k * hop
            frame = signal[b, start : start + n]
            scores = []
            for period in range(low, lag + 1):
                earlier = signal[b, start - period : start - period + n]
                energy = frame.square().sum() * earlier.square().sum()
                scores.append(float(frame @ earlier / torch.sqrt(energy + 1e-10)))
            best = max(scores)
            period = low + scores.index(best)
            delayed = torch.fft.rfft(signal[b, start - period : start - period + n] * model.window)
            cross = (spectrum[b, k] * delayed.conj()).real @ model.band_weights
            powers = power[b, k] * (delayed.abs().square() @ model.band_weights)
            best = torch.tensor([best], dtype=torch.float64)
            expected = torch.cat([cross / torch.sqrt(powers + 1e-20), best])
            torch.testing.assert_close(got[b, k], expected, rtol=1e-9, atol=1e-9)


def test_a_context_branch_starts_from_weights_without_it(tmp_path):
    torch.manual_seed(6)
    options = {"pitch_features": True, "pitch_lags": (4, 40)}  # no floor: it never forgets
    plain = small_spectral(**options)
    context = small_spectral(spectral_context=150, **options)  # 2400 samples back
    _starts_as(plain, context, tmp_path)
    summary = context.gains.layers[0].taps[:, -8:]  # the branch's 8 columns come last
    assert not summary.any()
    with torch.no_grad():  # once trained, the branch is heard: what the network forgot
        summary.normal_()
        x = torch.randn(1, 1, 3000, dtype=torch.float64)
        changed = x.clone()
        changed[..., :500] *= 3
        late = slice(1300, 2400)  # past the rest's reach (~750 samples), in the branch's
        assert not torch.allclose(context(changed)[..., late], context(x)[..., late])
        torch.testing.assert_close(plain(changed)[..., late], plain(x)[..., late])


@pytest.mark.parametrize(
    ("pitch_before", "context"), [(False, 0), (True, 0), (True, 30)]
)  # the shipped weights have pitch features and the context branch
def test_a_wider_deep_filter_starts_from_a_narrower_ones_weights(tmp_path, pitch_before, context):
    torch.manual_seed(4)
    pitch = {"pitch_features": True, "pitch_lags": (4, 40)}
    narrow = small_spectral(
        noise_floor_features=True,
        deep_filter_bins=5,
        spectral_context=context,
        **(pitch if pitch_before else {}),
    )
    wide = small_spectral(
        noise_floor_features=True,
        deep_filter_bins=9,
        deep_filter_scale_bins=5,
        spectral_context=context,
        **pitch,
    )
    if context:  # a trained branch, not its moving-average start
        with torch.no_grad():
            narrow.context_fir.taps.normal_()
    x = _starts_as(narrow, wide, tmp_path)
    last = wide.gains.layers[-1]
    new_taps = slice(wide.gain_outputs + 2 * 5 * wide.df_taps, None)  # bins 5-8's
    assert not last.taps[..., new_taps].any() and not last.bias[new_taps].any()
    with torch.no_grad():  # once trained, those bins are filtered too
        last.bias[new_taps] = 0.5
        assert not torch.allclose(wide(x), narrow(x), atol=1e-3)
    with pytest.raises(ConfigError, match="deep_filter_scale_bins"):
        small_spectral(deep_filter_bins=5, deep_filter_scale_bins=6)


@pytest.mark.parametrize("changes", [{}, {"pitch_features": True, "spectral_context": 30}])
def test_a_wider_gain_network_starts_from_a_narrower_ones_weights(tmp_path, changes):
    torch.manual_seed(5)
    design = {
        "noise_floor_features": True,
        "spectral_taps": (1, 3, 2),
        "spectral_dilations": (1, 2, 1),
    }
    narrow = small_spectral(**design, deep_filter_bins=5)
    # the wider one may have more inputs too: fit_weights widens both ways at once
    wide = small_spectral(
        **design, **changes, deep_filter_bins=5, spectral_hidden=13, pitch_lags=(4, 40)
    )
    x = _starts_as(narrow, wide, tmp_path)
    layers = wide.gains.layers
    for layer in layers[:-1]:  # the new features: taps in drawn, bias 0
        assert layer.taps[..., 8:].abs().sum() > 0 and not layer.bias[8:].any()
    for layer in layers[1:]:  # and zero taps out of them
        assert not layer.taps[:, 8:].any()
    from audiocnn import checkpoint

    saved = checkpoint.load(tmp_path / "narrower.pt")["state_dict"]
    for name, value in wide.fit_weights(saved).items():  # the same draw every time (soups)
        torch.testing.assert_close(value, wide.state_dict()[name], rtol=0, atol=0)
    with torch.no_grad():  # once trained, the new features are heard
        layers[-1].taps[:, 8:] = 0.5
        assert not torch.allclose(wide(x), narrow(x), atol=1e-3)


def test_deep_filter_starts_silent_then_filters_each_low_bin_over_its_last_frames():
    torch.manual_seed(4)
    plain = small_spectral(deep_filter_bins=0)
    filtered = small_spectral(deep_filter_bins=5, deep_filter_taps=2)
    x = torch.randn(1, 1, 1000, dtype=torch.float64)
    with torch.no_grad():
        for layer, other in zip(plain.gains.layers[:-1], filtered.gains.layers[:-1], strict=True):
            other.taps.zero_()
            other.taps[:, : layer.taps.shape[1]] = layer.taps  # same gains; filter taps 0
            other.bias.copy_(layer.bias)
        torch.testing.assert_close(filtered(x), plain(x))
        # Taps (1, 0) on frame t - 1 of every low bin: those bins get the previous frame added.
        last = filtered.gains.layers[-1]
        last.bias[8:] = torch.tensor([0.0, 0.0, 1.0, 0.0]).repeat(5)  # (bin, tap, re/im)
        spectrum = torch.fft.rfft(x[0, 0, 15 : 15 + 64] * filtered.window)  # frame 0
        gated, _ = filtered._deep_filter(
            spectrum[None, None] * 0,
            spectrum[None, None, :5],
            last.bias[8:][None, None],
            torch.zeros(1, 1, 5, dtype=torch.complex128),
        )
        torch.testing.assert_close(gated[0, 0, :5], torch.zeros(5, dtype=torch.complex128))
        gated, _ = filtered._deep_filter(
            spectrum[None, None] * 0,
            torch.zeros(1, 1, 5, dtype=torch.complex128),
            last.bias[8:][None, None],
            spectrum[None, None, :5],
        )
        torch.testing.assert_close(gated[0, 0, :5], spectrum[:5])


def test_lookahead_uses_the_newest_samples_and_stays_causal():
    # The extra latency of L frames is not dead time: the outputs right after input sample m
    # (a frame's last sample) already depend on it, through the gains of the frame L hops
    # back; a plain extra delay of L hops would leave them alone. And never on later samples.
    torch.manual_seed(4)
    model = small_spectral(spectral_lookahead=2, deep_filter_bins=0)
    for p in model.parameters():
        p.data.add_(0.3 * torch.randn_like(p))
    x = torch.randn(1, 1, 800, dtype=torch.float64)
    nudged = x.clone()
    hop = model.hop
    m = hop - 1 + 30 * hop  # the last sample of frame 30
    nudged[..., m] += 1.0
    with torch.no_grad():
        change = (model(nudged) - model(x))[0, 0]
    assert change[: m + 1].abs().max() == 0
    assert change[m + 1 : m + 1 + 2 * hop].abs().max() > 1e-6
    with pytest.raises(ValueError, match="spectral_lookahead"):
        small_spectral(spectral_lookahead=-1)


def test_deep_filter_options_are_checked():
    with pytest.raises(ValueError, match="deep_filter_bins"):
        small_spectral(deep_filter_bins=34)


def test_spectral_inputs_must_be_bands_or_bins():
    with pytest.raises(ValueError, match="spectral_inputs"):
        small_spectral(spectral_inputs="mel")


def test_spectral_gain_network_is_drawn_with_each_filters_fan_in():
    # The lab's draw (xavier on (n_taps, G, F)) would give 128-wide layers a 0.011 spread.
    torch.manual_seed(0)
    model = model_of(SpectralMaskDenoiserConfig())
    hidden = model.gains.layers[1].taps  # (3, 256, 256)
    n_taps, fan_in, fan_out = hidden.shape
    expected = (2.0 / (n_taps * (fan_in + fan_out))) ** 0.5
    assert abs(hidden.std().item() / expected - 1) < 0.05
    assert torch.all(model.gains.layers[-1].taps == 0)  # and the gates start open


@pytest.mark.parametrize(
    "config",
    [
        SeedFIRDenoiserConfig(),
        MaskFIRDenoiserConfig(bands=6, hidden=5, analysis_taps=20, synthesis_taps=20, delay=19),
        SMALL_SPECTRAL,
    ],
)
def test_every_denoiser_keeps_the_streaming_contract(config):
    from audiocnn.models import StreamingDenoiser

    model = model_of(config).eval()
    assert isinstance(model, StreamingDenoiser) and isinstance(model.delay, int)
    x = torch.randn(2, 1, 3000)
    with torch.no_grad():
        whole, _ = model.stream(x, None)
        first, state = model.stream(x[..., :1234], None)
        rest, _ = model.stream(x[..., 1234:], state)
    torch.testing.assert_close(torch.cat([first, rest], -1), whole, atol=1e-5, rtol=1e-4)


def test_an_attenuation_limit_mixes_in_the_input_in_step_and_streams_exactly():
    from audiocnn.models import AttenuationLimit, StreamingDenoiser

    model = model_of(SMALL_SPECTRAL).eval()
    limited = AttenuationLimit(model, 20.0)
    assert isinstance(limited, StreamingDenoiser) and limited.delay == model.delay
    x = torch.randn(2, 1, 3000)
    with torch.no_grad():
        whole = limited(x)
        first, state = limited.stream(x[..., :1234], None)
        rest, _ = limited.stream(x[..., 1234:], state)
        inner = model(x)
    torch.testing.assert_close(torch.cat([first, rest], -1), whole, atol=1e-5, rtol=1e-4)
    late = torch.nn.functional.pad(x, (model.delay, 0))[..., :3000]  # the input, in step
    torch.testing.assert_close(whole, 0.9 * inner + 0.1 * late)  # 20 dB: a tenth of the input

    class Silent(torch.nn.Module):  # removes everything: what is left is the limit
        delay = 7

        def stream(self, x, state):
            return torch.zeros_like(x), state

    quiet = AttenuationLimit(Silent(), 12.0)(x)
    torch.testing.assert_close(quiet[..., 7:], x[..., :-7] * 10 ** (-12 / 20))
    assert not quiet[..., :7].any()
    for bad in (0.0, -6.0, float("inf"), float("nan")):
        with pytest.raises(ConfigError, match="attenuation limit"):
            AttenuationLimit(model, bad)


def test_level_normalised_features_make_the_denoiser_level_invariant():
    torch.manual_seed(3)
    # full size: the small test design has mel bands with no bin in them, whose log-power is
    # the floor of the log at any level
    config = SpectralMaskDenoiserConfig(noise_floor_features=True, level_normalise=True)
    model = model_of(config).double().eval()
    for p in model.gains.layers[-1].parameters():
        p.data.add_(0.3 * torch.randn_like(p))
    x = torch.randn(1, 1, 8000, dtype=torch.float64) * torch.linspace(0.01, 1, 8000)
    with torch.no_grad():
        loud, quiet = model(x), model(x * 0.01)
    torch.testing.assert_close(quiet * 100, loud, rtol=1e-3, atol=1e-4)  # eps of the logs
    absolute = model_of(SpectralMaskDenoiserConfig()).double().eval()
    for p in absolute.gains.layers[-1].parameters():
        p.data.add_(0.3 * torch.randn_like(p))
    with torch.no_grad():  # the absolute log-powers of the first design are not
        assert not torch.allclose(absolute(x * 0.01) * 100, absolute(x), rtol=1e-3)


def test_gain_floor_keeps_every_band_at_least_that_loud():
    model = small_spectral(gain_floor_db=-20.0, deep_filter_bins=0)
    with torch.no_grad():
        model.gains.layers[-1].bias.fill_(-50.0)  # every gate shut
        x = torch.randn(1, 1, 6000, dtype=torch.float64)
        y = model(x)[..., model.delay :]
        ratio = y.std() / x[..., : y.shape[-1]].std()
    assert ratio == pytest.approx(0.1, rel=0.02)  # -20 dB


def test_new_feature_options_are_checked():
    with pytest.raises(ConfigError, match="gain_floor_db"):
        replace(SMALL_SPECTRAL, gain_floor_db=3.0)
    with pytest.raises(ConfigError, match="noise_floor_rise_db"):
        replace(SMALL_SPECTRAL, noise_floor_rise_db=float("inf"))
