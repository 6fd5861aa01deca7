"""HairNet: a small depthwise-separable U-Net for binary hair segmentation.

The network takes a normalised RGB batch (N, 3, H, W) in [-1, 1] and returns one logit per pixel
at full input resolution. It is built only from ops that convert cleanly to TFLite
(conv, depthwise conv, batch norm, ReLU, bilinear resize, concat).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from training.efficientnet import TAP_CHANNELS, LiteEncoder, load_imagenet


def conv_bn_relu(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class SeparableBlock(nn.Module):
    """Depthwise 3x3 (optionally strided) then pointwise 1x1, with a residual when shapes match."""

    def __init__(self, cin: int, cout: int, stride: int = 1):
        super().__init__()
        self.depthwise = conv_bn_relu(cin, cin, 3, stride, groups=cin)
        self.pointwise = conv_bn_relu(cin, cout, 1)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.pointwise(self.depthwise(x))
        return x + y if self.residual else y


@dataclass(frozen=True)
class Arch:
    """Channels of the encoder at strides 2, 4, 8, 16, 32 and of the decoder at strides 16, 8, 4, 2;
    the number of separable blocks at strides 4-32."""

    encoder: tuple[int, int, int, int, int]
    decoder: tuple[int, int, int, int]
    depth: tuple[int, int, int, int] = (2, 2, 3, 3)


ARCHS = {
    "hairnet": Arch((16, 32, 128, 256, 384), (192, 96, 32, 16)),  # hairnet 1.0.0
    # deeper at strides 16 and 32, where a block costs little: more context for the same frame time
    "hairnet2": Arch((16, 32, 128, 256, 448), (192, 96, 32, 16), (2, 2, 4, 4)),
    # wider at full resolution, for the edges and thin strands (hairnet-hq)
    "hairnet-hq": Arch((24, 48, 128, 256, 448), (192, 96, 48, 24), (2, 2, 4, 4)),
}


class HairNet(nn.Module):
    def __init__(self, arch: str = "hairnet"):
        super().__init__()
        if arch not in ARCHS:
            raise ValueError(f"unknown architecture {arch!r}; known: {', '.join(ARCHS)}")
        spec = ARCHS[arch]
        e1, e2, e3, e4, e5 = spec.encoder
        n2, n3, n4, n5 = spec.depth

        def stage(cin: int, cout: int, blocks: int) -> nn.Sequential:
            return nn.Sequential(SeparableBlock(cin, cout, 2), *(SeparableBlock(cout, cout) for _ in range(blocks - 1)))

        self.stem = conv_bn_relu(3, e1, 3, 2)
        self.enc2 = stage(e1, e2, n2)
        self.enc3 = stage(e2, e3, n3)
        self.enc4 = stage(e3, e4, n4)
        self.enc5 = stage(e4, e5, n5)
        d4, d3, d2, d1 = spec.decoder
        self.dec4 = nn.Sequential(SeparableBlock(e5 + e4, d4), SeparableBlock(d4, d4))
        self.dec3 = nn.Sequential(SeparableBlock(d4 + e3, d3), SeparableBlock(d3, d3))
        self.dec2 = nn.Sequential(SeparableBlock(d3 + e2, d2), SeparableBlock(d2, d2))
        self.dec1 = nn.Sequential(SeparableBlock(d2 + e1, d1), SeparableBlock(d1, d1))
        self.head = nn.Conv2d(d1, 1, 1)

    @staticmethod
    def _up_cat(x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=skip.shape[-2:], mode="bilinear", align_corners=False)
        return torch.cat([x, skip], dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s1 = self.stem(x)
        s2 = self.enc2(s1)
        s3 = self.enc3(s2)
        s4 = self.enc4(s3)
        s5 = self.enc5(s4)
        y = self.dec4(self._up_cat(s5, s4))
        y = self.dec3(self._up_cat(y, s3))
        y = self.dec2(self._up_cat(y, s2))
        y = self.dec1(self._up_cat(y, s1))
        logits = self.head(y)
        return F.interpolate(logits, size=x.shape[-2:], mode="bilinear", align_corners=False)


class LiteHairNet(nn.Module):
    """hairnet-e0: EfficientNet-Lite0 to stride 16 (ImageNet weights, ``training.efficientnet``) under
    a separable decoder like hairnet2's at strides 8, 4 and 2. The encoder brings what a hair net
    trained on 3,000 photos lacks: what a hat, a poster or a sleeve is."""

    DECODER = (64, 32, 16)

    def __init__(self):
        super().__init__()
        self.encoder = LiteEncoder()
        c1, c2, c3, c4 = TAP_CHANNELS
        d3, d2, d1 = self.DECODER
        self.dec3 = nn.Sequential(SeparableBlock(c4 + c3, d3), SeparableBlock(d3, d3))
        self.dec2 = nn.Sequential(SeparableBlock(d3 + c2, d2), SeparableBlock(d2, d2))
        self.dec1 = nn.Sequential(SeparableBlock(d2 + c1, d1), SeparableBlock(d1, d1))
        self.head = nn.Conv2d(d1, 1, 1)

    def load_pretrained(self) -> int:
        return load_imagenet(self.encoder)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s1, s2, s3, s4 = self.encoder(x)
        y = self.dec3(HairNet._up_cat(s4, s3))
        y = self.dec2(HairNet._up_cat(y, s2))
        y = self.dec1(HairNet._up_cat(y, s1))
        logits = self.head(y)
        return F.interpolate(logits, size=x.shape[-2:], mode="bilinear", align_corners=False)


PRETRAINED = {"hairnet-e0": LiteHairNet}
ARCH_NAMES = (*ARCHS, *PRETRAINED)


def build(arch: str) -> nn.Module:
    """The network of ``arch`` (its weights random; a pretrained encoder is loaded by the caller)."""
    if arch in PRETRAINED:
        return PRETRAINED[arch]()
    return HairNet(arch)


class SegmenterExport(nn.Module):
    """What goes into the .tflite: NHWC float input normalised to [-1, 1], NHWC [background, hair]
    probabilities out, the layout MediaPipe's ImageSegmenter expects."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hair = torch.sigmoid(self.net(x.permute(0, 3, 1, 2)))
        return torch.cat([1.0 - hair, hair], dim=1).permute(0, 2, 3, 1)


def count_parameters(net: nn.Module) -> int:
    return sum(p.numel() for p in net.parameters())
