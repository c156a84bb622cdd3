"""The fast paths re-derived from the loop references, numpy, scipy and torch.nn."""

import itertools
import math

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from audiocnn import dsp

TOL = dict(rtol=1e-10, atol=1e-10)


@pytest.fixture(autouse=True)
def float64_default():
    """Every tensor here is float64, so the fast paths are held to 1e-10."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def lab_mimo_convolution_1d(signal: torch.Tensor, filter: torch.Tensor) -> torch.Tensor:
    """The lab's Task 2 function, transcribed literally (filter of shape (K, G, F))."""
    taps, G, N = filter.shape[0], filter.shape[1], signal.shape[-1]
    z = torch.zeros((G, N))
    signal = signal.clone()
    for k in range(taps):
        z = z + torch.matmul(filter[k], signal)
        signal = signal.roll(1)
        signal[:, 0] = 0
    return z


# --- the notebooks' own examples ---------------------------------------------------------------


def test_conv1d_reference_notebook_example():
    assert dsp.conv1d_reference([1, 3, 5, 3, 1], [1 / 3] * 3) == pytest.approx([3.0, 11 / 3, 3.0])


def test_max_pool1d_reference_notebook_example():
    assert dsp.max_pool1d_reference([1, 3, 5, 7, 9, 11], 3) == [5, 11]


def test_conv2d_reference_notebook_example():
    data = np.array([[[-2, -2, -2], [4, 2, -4], [-3, 2, 4]]])
    out = dsp.conv2d_reference(np.array([[np.identity(2)]]), np.zeros(1), data)
    np.testing.assert_array_equal(out, [[[0.0, -6.0], [6.0, 6.0]]])


def test_derivative_kernel_turns_sine_into_scaled_cosine():
    omega = 2 * np.pi * 5 / 1000
    n = np.arange(1000)
    out = np.array(dsp.conv1d_reference(np.sin(omega * n), [-1, 0, 1]))
    # out[i] = sin(w(i+2)) - sin(w i) = 2 sin(w) cos(w(i+1))
    expected = 2 * np.sin(omega) * np.cos(omega * (n[:-2] + 1))
    assert np.corrcoef(out, np.cos(omega * (n[:-2] + 1)))[0, 1] > 0.999
    np.testing.assert_allclose(out, expected, atol=1e-12)
    assert np.abs(out).max() == pytest.approx(2 * np.sin(omega), rel=1e-3)


def test_moving_average_attenuates_as_its_frequency_response_predicts():
    length, n = 5, np.arange(4000)
    for cycles_per_sample in (0.01, 0.13, 0.31):
        omega = 2 * np.pi * cycles_per_sample
        out = np.array(dsp.conv1d_reference(np.sin(omega * n), [1 / length] * length))
        predicted = abs(np.sin(length * omega / 2) / (length * np.sin(omega / 2)))
        assert np.abs(out).max() == pytest.approx(predicted, rel=1e-3)


# --- references against independent implementations -------------------------------------------


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 60), k=st.integers(1, 10), stride=st.integers(1, 4), seed=st.integers(0, 99)
)
def test_conv1d_reference_equals_torch_conv1d(n, k, stride, seed):
    rng = np.random.default_rng(seed)
    x, kernel = rng.standard_normal(n), rng.standard_normal(k)
    ours = dsp.conv1d_reference(x, kernel, stride)
    if n < k:
        assert ours == []
        return
    theirs = torch.nn.functional.conv1d(
        torch.tensor(x)[None, None], torch.tensor(kernel)[None, None], stride=stride
    )
    np.testing.assert_allclose(ours, theirs[0, 0].numpy(), **TOL)
    assert len(ours) == dsp.conv_output_length(n, k, stride)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 50), stride=st.integers(1, 7), seed=st.integers(0, 99))
def test_max_pool1d_reference_equals_torch_ceil_mode(n, stride, seed):
    x = np.random.default_rng(seed).standard_normal(n)
    theirs = torch.nn.functional.max_pool1d(torch.tensor(x)[None], stride, ceil_mode=True)
    assert dsp.max_pool1d_reference(list(x), stride) == list(theirs[0].numpy())


def test_conv2d_reference_equals_torch_conv2d():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((4, 3, 3, 2)), rng.standard_normal(4)
    data = rng.standard_normal((3, 9, 7))
    theirs = torch.nn.Conv2d(3, 4, (3, 2))
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(W))
        theirs.bias.copy_(torch.tensor(b))
        expected = theirs(torch.tensor(data)[None])[0].numpy()
    np.testing.assert_allclose(dsp.conv2d_reference(W, b, data), expected, **TOL)


@pytest.mark.parametrize(
    "n,kernel,stride,padding,dilation", [(65536, 9, 1, 4, 1), (100, 16, 16, 4, 1), (50, 5, 2, 0, 3)]
)
def test_conv_output_length_matches_torch(n, kernel, stride, padding, dilation):
    conv = torch.nn.Conv1d(1, 1, kernel, stride, padding, dilation)
    assert conv(torch.zeros(1, 1, n)).shape[-1] == dsp.conv_output_length(
        n, kernel, stride, padding, dilation
    )


def test_conv_output_length_rejects_too_short_input():
    with pytest.raises(ValueError, match="shorter"):
        dsp.conv_output_length(3, 5)


def test_fir_filter_reference_equals_numpy_and_scipy():
    rng = np.random.default_rng(1)
    x, h = rng.standard_normal((3, 200)), rng.standard_normal(17)
    ours = dsp.fir_filter_reference(torch.tensor(x), torch.tensor(h)).numpy()
    np.testing.assert_allclose(ours, scipy.signal.lfilter(h, [1.0], x, axis=-1), **TOL)
    np.testing.assert_allclose(ours[0], np.convolve(x[0], h)[:200], **TOL)


def test_mimo_fir_reference_equals_sum_of_siso_convolutions():
    rng = np.random.default_rng(2)
    x, H = rng.standard_normal((2, 3, 120)), rng.standard_normal((9, 3, 4))
    ours = dsp.mimo_fir_reference(torch.tensor(x), torch.tensor(H)).numpy()
    for b in range(2):
        for g in range(4):
            expected = sum(np.convolve(x[b, f], H[:, f, g])[:120] for f in range(3))
            np.testing.assert_allclose(ours[b, g], expected, **TOL)


# --- fast paths against the references ---------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 3),
    n_in=st.integers(1, 4),
    n_out=st.integers(1, 4),
    n_taps=st.integers(1, 40),
    time=st.integers(1, 300),
    dilation=st.integers(1, 3),
    seed=st.integers(0, 999),
)
def test_mimo_fir_fast_paths_equal_loop_reference(batch, n_in, n_out, n_taps, time, dilation, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, n_in, time, generator=g)
    H = torch.randn(n_taps, n_in, n_out, generator=g)
    expected = dsp.mimo_fir_reference(x, H, dilation)
    for method in ("conv", "fft", "auto"):
        torch.testing.assert_close(
            dsp.mimo_fir(x, H, dilation=dilation, method=method), expected, **TOL
        )
    bias = torch.randn(n_out, generator=g)
    for method, grad in itertools.product(("taps", "unfold", "conv", "auto"), (True, False)):
        with torch.set_grad_enabled(grad):  # without gradients "taps" adds in place
            rows = dsp.mimo_fir_rows(x.transpose(1, 2), H, dilation=dilation, method=method)
            torch.testing.assert_close(rows.transpose(1, 2), expected, **TOL)  # time-major
            rows = dsp.mimo_fir_rows(
                x.transpose(1, 2), H, dilation=dilation, bias=bias, method=method
            )
            torch.testing.assert_close(rows.transpose(1, 2), expected + bias[:, None], **TOL)


def test_mimo_fir_rows_streams_with_history_and_checks_shapes():
    g = torch.Generator().manual_seed(8)
    x, H = torch.randn(2, 300, 3, generator=g), torch.randn(4, 3, 2, generator=g)
    dilation, context = 3, 9
    whole = dsp.mimo_fir_rows(x, H, dilation=dilation)
    padded = torch.nn.functional.pad(x, (0, 0, context, 0))
    for method, grad in itertools.product(("taps", "unfold", "conv"), (True, False)):
        with torch.set_grad_enabled(grad):
            pieces = [
                dsp.mimo_fir_rows(
                    x[:, a:b],
                    H,
                    dilation=dilation,
                    history=padded[:, a : a + context],
                    method=method,
                )
                for a, b in [(0, 5), (5, 5), (5, 120), (120, 300)]
            ]
        torch.testing.assert_close(torch.cat(pieces, 1), whole, **TOL)
    for grad in (True, False):
        with torch.set_grad_enabled(grad), pytest.raises(ValueError, match="history must have"):
            dsp.mimo_fir_rows(x, H, dilation=dilation, history=padded[:, :8])
    with pytest.raises(ValueError, match=r"x must have shape \(batch, time, F=3\)"):
        dsp.mimo_fir_rows(x.transpose(1, 2), H)
    with pytest.raises(ValueError, match="method must be"):
        dsp.mimo_fir_rows(x, H, method="fft")


@pytest.mark.parametrize("dilation", [1, 3])
def test_mimo_fir_rows_by_one_fft_a_block_equals_the_taps_path(dilation):
    g = torch.Generator().manual_seed(9)
    x, H = torch.randn(2, 300, 3, generator=g), torch.randn(20, 3, 4, generator=g)
    context = 19 * dilation
    history = torch.randn(2, context, 3, generator=g)
    expected = dsp.mimo_fir_rows(x, H, dilation=dilation, history=history, method="taps")
    for n_fft in (context + 300, 1024):  # the smallest size that does not wrap, and more
        response = dsp.mimo_fir_response(H, n_fft, dilation)
        got = dsp.mimo_fir_rows_fft(x, response, n_fft, context, history)
        torch.testing.assert_close(got, expected, **TOL)
    zeros = dsp.mimo_fir_rows_fft(x, response, 1024, context)  # silence before the block
    torch.testing.assert_close(zeros, dsp.mimo_fir_rows(x, H, dilation=dilation), **TOL)
    with pytest.raises(ValueError, match="n_fft 512 must be at least context"):
        dsp.mimo_fir_rows_fft(x, dsp.mimo_fir_response(H, 512), 512, 300, None)
    with pytest.raises(ValueError, match=r"response must have shape \(F=3"):
        dsp.mimo_fir_rows_fft(x, response[:2], 1024, context)


def test_mimo_fir_fft_with_several_blocks_and_small_fft():
    g = torch.Generator().manual_seed(3)
    x, H = torch.randn(2, 3, 1000, generator=g), torch.randn(30, 3, 2, generator=g)
    expected = dsp.mimo_fir_reference(x, H)
    torch.testing.assert_close(dsp.mimo_fir_fft(x, H, n_fft=64), expected, **TOL)


def test_auto_picks_fft_for_long_filters():
    g = torch.Generator().manual_seed(4)
    x, H = torch.randn(1, 2, 3000, generator=g), torch.randn(dsp.FFT_MIN_SPAN, 2, 2, generator=g)
    torch.testing.assert_close(dsp.mimo_fir(x, H), dsp.mimo_fir_conv(x, H), **TOL)


@pytest.mark.parametrize("method", ["conv", "fft"])
def test_fir_filter_equals_scipy_lfilter(method):
    rng = np.random.default_rng(5)
    x, h = rng.standard_normal((2, 3, 700)), rng.standard_normal(600)
    ours = dsp.fir_filter(torch.tensor(x), torch.tensor(h), method=method).numpy()
    np.testing.assert_allclose(ours, scipy.signal.lfilter(h, [1.0], x, axis=-1), **TOL)
    ref = dsp.fir_filter_reference(torch.tensor(x), torch.tensor(h)).numpy()
    np.testing.assert_allclose(ours, ref, **TOL)


@pytest.mark.parametrize("method", ["conv", "fft"])
def test_streaming_with_history_equals_whole_signal(method):
    g = torch.Generator().manual_seed(6)
    x, H = torch.randn(2, 3, 500, generator=g), torch.randn(25, 3, 2, generator=g)
    dilation, whole = 2, dsp.mimo_fir(x, H, dilation=2, method=method)
    context = (H.shape[0] - 1) * dilation
    padded = torch.nn.functional.pad(x, (context, 0))
    pieces = [
        dsp.mimo_fir(
            x[..., a:b], H, dilation=dilation, history=padded[..., a : a + context], method=method
        )
        for a, b in [(0, 7), (7, 200), (200, 500)]
    ]
    torch.testing.assert_close(torch.cat(pieces, -1), whole, **TOL)


def test_mimo_fir_is_linear_and_has_the_taps_as_impulse_response():
    g = torch.Generator().manual_seed(7)
    H = torch.randn(12, 2, 3, generator=g)
    impulse = torch.zeros(1, 2, 40)
    impulse[0, 1, 0] = 1.0
    response = dsp.mimo_fir(impulse, H)
    torch.testing.assert_close(response[0, :, :12], H[:, 1, :].T, **TOL)
    assert response[0, :, 12:].abs().max() == 0
    a, b = torch.randn(2, 2, 60, generator=g), torch.randn(2, 2, 60, generator=g)
    torch.testing.assert_close(
        dsp.mimo_fir(2 * a - 3 * b, H), 2 * dsp.mimo_fir(a, H) - 3 * dsp.mimo_fir(b, H), **TOL
    )


def test_batched_call_equals_stacked_single_calls():
    g = torch.Generator().manual_seed(8)
    x, H = torch.randn(5, 3, 90, generator=g), torch.randn(10, 3, 2, generator=g)
    stacked = torch.cat([dsp.mimo_fir(x[i : i + 1], H) for i in range(5)])
    torch.testing.assert_close(dsp.mimo_fir(x, H), stacked, **TOL)


def test_follows_the_equation_on_batches_where_the_lab_function_does_not():
    g = torch.Generator().manual_seed(9)
    x, H = torch.randn(4, 1, 50, generator=g), torch.randn(5, 1, 2, generator=g)
    ours = dsp.mimo_fir(x, H)
    expected = sum(torch.einsum("bft,fg->bgt", dsp.shift(x, k), H[k]) for k in range(5))
    torch.testing.assert_close(ours, expected, **TOL)
    # On one (F, time) signal the lab's function agrees with ours ...
    lab_single = lab_mimo_convolution_1d(x[0], H.transpose(1, 2))
    torch.testing.assert_close(lab_single, ours[0], **TOL)
    # ... but on a (batch, 1, time) batch `signal[:, 0] = 0` zeroes the whole channel, so only
    # the first tap survives.
    lab_on_batch = lab_mimo_convolution_1d(x, H.transpose(1, 2))
    torch.testing.assert_close(lab_on_batch, torch.einsum("bft,fg->bgt", x, H[0]), **TOL)
    assert not torch.allclose(lab_on_batch, ours)


def test_gradcheck_mimo_fir():
    g = torch.Generator().manual_seed(10)
    x = torch.randn(2, 2, 30, generator=g, requires_grad=True)
    H = torch.randn(6, 2, 3, generator=g, requires_grad=True)
    for method in ("conv", "fft"):
        assert torch.autograd.gradcheck(
            lambda x, H, method=method: dsp.mimo_fir(x, H, dilation=2, method=method), (x, H)
        )


def test_float32_matches_float64():
    g = torch.Generator().manual_seed(11)
    x, H = torch.randn(2, 3, 400, generator=g), torch.randn(40, 3, 5, generator=g) * 0.1
    for method in ("conv", "fft"):
        out32 = dsp.mimo_fir(x.float(), H.float(), method=method)
        assert out32.dtype == torch.float32
        torch.testing.assert_close(out32.double(), dsp.mimo_fir(x, H), rtol=1e-4, atol=1e-5)


def test_shape_errors_are_clear():
    with pytest.raises(ValueError, match="F=3"):
        dsp.mimo_fir(torch.zeros(1, 2, 10), torch.zeros(4, 3, 1))
    with pytest.raises(ValueError, match="n_taps, F, G"):
        dsp.mimo_fir(torch.zeros(1, 2, 10), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="history"):
        dsp.mimo_fir(torch.zeros(1, 2, 10), torch.zeros(4, 2, 1), history=torch.zeros(1, 2, 2))


def test_depthwise_fir_filters_each_feature_alone():
    g = torch.Generator().manual_seed(12)
    x, h = torch.randn(2, 3, 80, generator=g), torch.randn(7, 3, generator=g)
    expected = torch.stack([dsp.fir_filter_reference(x[:, f], h[:, f]) for f in range(3)], 1)
    torch.testing.assert_close(dsp.depthwise_fir(x, h), expected, **TOL)
    history = torch.randn(2, 3, 6, generator=g)
    whole = dsp.depthwise_fir(torch.cat([history, x], -1), h)[..., 6:]
    torch.testing.assert_close(dsp.depthwise_fir(x, h, history=history), whole, **TOL)


@settings(max_examples=25, deadline=None)
@given(
    batch=st.integers(1, 3),
    channels=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    taps=st.integers(1, 9),
    pool=st.integers(1, 16),
    time=st.integers(40, 300),
    data=st.data(),
)
def test_conv1d_max_pool_equals_torch_layers_and_gradients(batch, channels, taps, pool, time, data):
    padding = data.draw(st.integers(0, taps // 2))
    pool_padding = data.draw(st.integers(0, pool // 2))
    gen = torch.Generator().manual_seed(time)
    x = torch.randn(batch, channels[0], time, dtype=torch.float64, generator=gen)
    x[..., : time // 3] = 0  # silence: equal outputs inside a window, ties go to the first
    x.requires_grad_(True)
    w = torch.randn(channels[1], channels[0], taps, dtype=torch.float64, requires_grad=True)
    b = torch.randn(channels[1], dtype=torch.float64, requires_grad=True)
    expected = F.max_pool1d(F.relu(F.conv1d(x, w, b, padding=padding)), pool, padding=pool_padding)
    got = dsp.conv1d_max_pool(x, w, b, padding=padding, pool=pool, pool_padding=pool_padding)
    got = got.relu()
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)
    weights = torch.randn(expected.shape, dtype=torch.float64, generator=gen)
    for a, e in zip(
        torch.autograd.grad((got * weights).sum(), (x, w, b)),
        torch.autograd.grad((expected * weights).sum(), (x, w, b)),
        strict=True,
    ):
        torch.testing.assert_close(a, e, rtol=0, atol=1e-10)


def test_seed_genre_network_equals_the_notebooks_layers():
    from audiocnn.models import SeedGenreCNNConfig, model_of

    torch.manual_seed(0)
    model = model_of(SeedGenreCNNConfig(n_genres=4)).double()
    x = torch.randn(3, 1, 2**16, dtype=torch.float64)
    plain = model.classifier(model.features(x)[..., 0])  # nn.Conv1d -> ReLU -> MaxPool1d x 4
    torch.testing.assert_close(model(x), plain, rtol=0, atol=1e-12)
    grads = torch.autograd.grad(model(x).square().sum(), list(model.parameters()))
    plain_grads = torch.autograd.grad(plain.square().sum(), list(model.parameters()))
    for a, e in zip(grads, plain_grads, strict=True):
        torch.testing.assert_close(a, e, rtol=1e-9, atol=1e-12)


def test_dsp_imports_nothing_else_of_ours():
    import ast
    from pathlib import Path

    for path in Path(dsp.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("audiocnn"):
                assert node.module.startswith("audiocnn.dsp"), f"{path.name}: {node.module}"


# --- noise floor and level trackers ------------------------------------------------------------


def test_noise_floor_streams_exactly_and_follows_the_noise_under_speech():
    from audiocnn.dsp.noise_floor import noise_floor

    torch.manual_seed(0)
    frames = 400
    noise = torch.full((1, frames, 3), 1e-3) * torch.exp(0.3 * torch.randn(1, frames, 3))
    speech = (torch.rand(1, frames, 1) < 0.6) * 1.0  # loud 60% of the time, in every band
    power = noise + speech
    rise = 0.01
    whole, _ = noise_floor(power, rise=rise)
    state, parts = None, []
    for block in torch.split(power, [1, 5, 0, 120, 274], 1):
        out, state = noise_floor(block, state, rise=rise)
        parts.append(out)
    torch.testing.assert_close(torch.cat(parts, 1), whole, rtol=0, atol=1e-6)
    assert (whole.diff(dim=1) <= rise + 1e-6).all()  # it rises slowly, falls at once
    # after the first second, within 6 dB of the noise (about -30 dB), far below the speech
    settled = whole[:, 100:] * 10 / math.log(10)
    assert (settled < -24).all() and (settled > -36).all()


def test_running_level_streams_exactly_and_shifts_with_the_gain():
    from audiocnn.dsp.noise_floor import running_level

    power = torch.rand(2, 50, dtype=torch.float64)
    whole, _ = running_level(power)
    first, state = running_level(power[:, :17])
    rest, _ = running_level(power[:, 17:], state)
    torch.testing.assert_close(torch.cat([first, rest], 1), whole)
    louder, _ = running_level(power * 100)
    torch.testing.assert_close(louder - whole, torch.full_like(whole, math.log(100)))


def _pitch_strength_loop(frame: np.ndarray, rate: int) -> float:
    """One frame's pitch strength, written out: every lag's autocorrelation summed by hand."""
    x = frame - frame.mean()
    energy = float(np.dot(x, x))
    if energy <= 0:
        return 0.0
    low, high = int(rate / 400), min(int(rate / 60), len(x) - 1)
    return max(float(np.dot(x[lag:], x[:-lag])) for lag in range(low, high)) / energy


def test_pitch_strength_equals_the_autocorrelation_written_out():
    rate, rng = 16000, np.random.default_rng(0)
    t = np.arange(8000) / rate
    wav = np.sin(2 * np.pi * 150 * t) * (t < 0.12) + 0.3 * rng.standard_normal(t.size)
    wav[-1200:] = 0  # silent frames: strength 0, not a division by zero
    frames = dsp.voicing.frames_of(wav, rate)
    assert frames.shape == (1 + (len(wav) - 512) // 256, 512)
    fast = dsp.pitch_strength(frames, rate).numpy()
    loop = [_pitch_strength_loop(frame, rate) for frame in frames.numpy()]
    np.testing.assert_allclose(fast, loop, atol=1e-9)
    assert fast[0] > 0.6 and fast[-1] == 0 and np.median(fast[9:-6]) < 0.3


def test_voiced_share_tells_a_tone_from_hiss_and_ignores_quiet_frames():
    rate, rng = 16000, np.random.default_rng(1)
    t = np.arange(rate) / rate
    tone = np.sin(2 * np.pi * 220 * t)
    hiss = rng.standard_normal(rate)
    assert dsp.voiced_share(tone, rate) == 1.0
    assert dsp.voiced_share(hiss, rate) < 0.05
    half = np.where(t < 0.5, tone, 1e-3 * hiss)  # hiss 60 dB down: not active (but the frame
    # across the step is)
    assert dsp.voiced_share(half, rate) > 0.95
    even = np.where(t < 0.5, tone, hiss)
    assert 0.4 < dsp.voiced_share(even, rate) < 0.6
    assert dsp.voiced_share(tone[:100], rate) == 0.0  # shorter than a frame
    assert dsp.voiced_share(torch.from_numpy(tone).float(), rate) == 1.0  # a tensor too
