"""The lab's Tasks 1-3 as modules: shapes, the recursion, and exact streaming."""

import pytest
import torch

from audiocnn import dsp
from audiocnn.layers import FIRCNN, MIMOFIR, MIMOFIRCNN, FIRFilter


def test_fir_filter_starts_at_ones_and_filters_causally():
    layer = FIRFilter(3)
    x = torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    # taps of ones: a running sum of the last three samples
    torch.testing.assert_close(layer(x), torch.tensor([[1.0, 3.0, 6.0, 9.0]]))


def test_fircnn_is_the_recursion_with_tanh_between_layers():
    torch.manual_seed(0)
    net = FIRCNN([4, 3, 2])
    for layer in net.layers:
        torch.nn.init.normal_(layer.taps)
    x = torch.randn(2, 50)
    expected = x
    for i, layer in enumerate(net.layers):
        expected = dsp.fir_filter_reference(expected, layer.taps.detach())
        expected = torch.tanh(expected) if i < 2 else expected
    torch.testing.assert_close(net(x), expected)


def test_mimofircnn_matches_the_lab_specification():
    net = MIMOFIRCNN(n_taps=[40, 40], n_features=[1, 5, 1])
    assert [tuple(layer.taps.shape) for layer in net.layers] == [(40, 1, 5), (40, 5, 1)]
    assert sum(p.numel() for p in net.parameters()) == 400
    x = torch.randn(3, 1, 200)
    h = torch.tanh(dsp.mimo_fir_reference(x, net.layers[0].taps.detach()))
    expected = dsp.mimo_fir_reference(h, net.layers[1].taps.detach())
    torch.testing.assert_close(net(x), expected, rtol=1e-4, atol=1e-5)
    with torch.no_grad():  # tanh as 2 sigmoid(2 x) - 1, in place
        torch.testing.assert_close(net(x), expected, rtol=1e-4, atol=1e-5)


def test_mimofir_bias_and_dilation():
    layer = MIMOFIR(2, 3, 4, dilation=3, bias=True)
    with torch.no_grad():
        layer.bias.copy_(torch.tensor([1.0, 2.0, 3.0]))
    assert layer.context == 9
    y = layer(torch.zeros(1, 2, 20))
    torch.testing.assert_close(y, torch.tensor([1.0, 2.0, 3.0])[None, :, None].expand(1, 3, 20))


@pytest.mark.parametrize("rows", [False, True])
@pytest.mark.parametrize("block", [1, 37, 500])
def test_streaming_in_blocks_equals_offline(block, rows):
    torch.manual_seed(1)
    # 40 taps take the FFT path offline and one product per tap in rows (no gradients): equal
    net = MIMOFIRCNN(n_taps=[40, 9, 5], n_features=[2, 6, 4, 2], dilations=[1, 4, 2], bias=True)
    x = torch.randn(2, 2, 1200)
    with torch.no_grad():
        offline = net(x)
        state, pieces = None, []
        for start in range(0, x.shape[-1], block):
            piece = x[..., start : start + block]
            y, state = net.stream(piece.transpose(1, 2) if rows else piece, state, rows=rows)
            pieces.append(y.transpose(1, 2) if rows else y)
    torch.testing.assert_close(torch.cat(pieces, -1), offline, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype,batch", [(torch.float32, 1), (torch.float64, 2)])
def test_rows_of_a_long_filter_go_by_fft_with_the_response_kept_until_the_taps_change(dtype, batch):
    torch.manual_seed(2)
    layer = MIMOFIR(32, 8, 128, bias=True).to(dtype)
    x, history = torch.randn(batch, 600, 32, dtype=dtype), torch.randn(batch, 127, 32, dtype=dtype)
    with torch.no_grad():
        expected = dsp.mimo_fir_rows(x, layer.taps, history=history, method="taps") + layer.bias
        torch.testing.assert_close(layer.rows(x, history), expected, rtol=1e-4, atol=1e-4)
        assert list(layer._responses) == [(1024, dtype, x.device)]
        layer.taps.mul_(2)  # as an optimiser step or loading weights would change them
        expected = dsp.mimo_fir_rows(x, layer.taps, history=history, method="taps") + layer.bias
        torch.testing.assert_close(layer.rows(x, history), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("rows", [False, True])
def test_initial_state_is_silence(rows):
    net = MIMOFIRCNN(n_taps=[5, 3], n_features=[1, 2, 1])
    x = torch.randn(1, 1, 30)
    with torch.no_grad():
        y, _ = net.stream(
            x.transpose(1, 2) if rows else x, net.initial_state(1, rows=rows), rows=rows
        )
        torch.testing.assert_close(y.transpose(1, 2) if rows else y, net(x))


def test_bad_specifications_are_rejected():
    with pytest.raises(ValueError, match="2 layers need 3 n_features"):
        MIMOFIRCNN(n_taps=[3, 3], n_features=[1, 1])
    with pytest.raises(ValueError, match="n_taps"):
        FIRFilter(0)


def test_mimofir_fan_init_uses_each_filters_fan_in_and_rejects_unknown_draws():
    torch.manual_seed(0)
    layer = MIMOFIR(128, 64, 3, init="fan")
    expected = (2.0 / (3 * (128 + 64))) ** 0.5
    assert abs(layer.taps.std().item() / expected - 1) < 0.05
    assert MIMOFIR(128, 64, 3).taps.std().item() < 0.5 * expected  # the lab's draw is smaller
    with pytest.raises(ValueError, match="init"):
        MIMOFIR(2, 2, 3, init="xavier")


def test_int8_layer_is_close_to_float32_and_each_row_depends_on_its_own_inputs_alone():
    from audiocnn.layers import Int8MIMOFIR, int8_products

    torch.manual_seed(2)
    net = MIMOFIRCNN([1, 3, 3], [6, 32, 32, 5], dilations=[1, 2, 1], bias=True, init="fan")
    with torch.no_grad():
        for layer in net.layers:
            layer.bias.normal_()
    quantised = int8_products(net)
    assert not isinstance(quantised.layers[0], Int8MIMOFIR)  # its inputs have no bound
    assert all(isinstance(layer, Int8MIMOFIR) for layer in quantised.layers[1:])
    assert not any(isinstance(layer, Int8MIMOFIR) for layer in net.layers)  # a copy
    x = 3 * torch.randn(2, 400, 6)
    with torch.no_grad():
        exact, y = net.stream(x, None, rows=True)[0], quantised.stream(x, None, rows=True)[0]
        assert not torch.equal(y, exact)
        assert (y - exact).abs().max() < 0.03 * exact.abs().max()  # 7-bit inputs, 8-bit taps
        # A block's range does not set its rounding (the pinned range): streaming is exact,
        # whatever the blocks' sizes, and so is one row alone.
        state, pieces = None, []
        for start, stop in ((0, 1), (1, 7), (7, 150), (150, 400)):
            piece, state = quantised.stream(x[:, start:stop], state, rows=True)
            pieces.append(piece)
        torch.testing.assert_close(torch.cat(pieces, 1), y, rtol=0, atol=1e-6)
        channels_first = quantised(x.transpose(1, 2)).transpose(1, 2)
        torch.testing.assert_close(channels_first, y, rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="at least 2 input features"):
        Int8MIMOFIR(MIMOFIR(1, 4, 3))
