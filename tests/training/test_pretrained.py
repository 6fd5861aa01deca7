"""hairnet-e0's ImageNet encoder and the hard-negative recipe: the weights load into a network that
still sees what ImageNet taught it; hard photos are found by a teacher's mistakes, repeated, and the
teacher is not followed where it contradicts the truth."""

import cv2
import pytest
import torch
from torch import nn

from core.errors import DataError
from hairtint_desktop.cli import main
from training.cli import model_card
from training.data import PhotoSet
from training.efficientnet import LiteEncoder, MBConv, load_imagenet, pretrained_file
from training.model import SegmenterExport, build, count_parameters
from training.objective import hard_photos, training_loss
from training.train import TrainConfig, _epoch_order

WIG = 903  # ImageNet's class for a wig: the nearest it has to "a head of hair"


def imagenet_class(encoder: LiteEncoder, rgb) -> int:
    """Lite0's stride-32 blocks, head and classifier put back on the encoder, from the same weights."""
    state = torch.load(pretrained_file(), map_location="cpu", weights_only=True)
    rest = nn.Sequential(MBConv(6, 5, 2, 112, 192), *(MBConv(6, 5, 1, 192, 192) for _ in range(3)),
                         MBConv(6, 3, 1, 192, 320))
    rest.load_state_dict({f"{int(k.split('.')[1]) - 11}.{k.split('.', 2)[2]}": v for k, v in state.items()
                          if k.startswith("_blocks.") and int(k.split(".")[1]) >= 11})
    head, norm, fc = nn.Conv2d(320, 1280, 1, bias=False), nn.BatchNorm2d(1280, eps=1e-3), nn.Linear(1280, 1000)
    head.weight.data = state["_conv_head.weight"]
    norm.load_state_dict({k[len("_bn1."):]: v for k, v in state.items() if k.startswith("_bn1.")})
    fc.load_state_dict({"weight": state["_fc.weight"], "bias": state["_fc.bias"]})
    x = torch.from_numpy(cv2.resize(rgb, (224, 224))).float().permute(2, 0, 1)[None] / 127.5 - 1.0
    with torch.no_grad():
        features = rest.eval()(encoder.eval()(x)[-1])
        return int(fc(nn.functional.relu6(norm.eval()(head(features))).mean((2, 3))).argmax())


def test_the_imagenet_weights_load_and_still_see_hair(shared_dir):
    encoder = LiteEncoder()
    assert load_imagenet(encoder) == len(encoder.state_dict())
    images = shared_dir / "datasets" / "figaro1k" / "images"
    heads = [cv2.cvtColor(cv2.imread(str(images / f"figaro_Frame0000{i}.jpg")), cv2.COLOR_BGR2RGB) for i in (1, 4, 5)]
    assert [imagenet_class(encoder, rgb) for rgb in heads] == [WIG] * 3
    random = LiteEncoder()  # the same network with random weights does not see a wig: the weights did it
    assert [imagenet_class(random, rgb) for rgb in heads] != [WIG] * 3


def test_weights_of_another_shape_are_a_clear_error(tmp_path):
    state = LiteEncoder().state_dict()
    state["_blocks.3._project_conv.weight"] = torch.zeros(41, 144, 1, 1)
    torch.save(state, tmp_path / "bad.pth")
    with pytest.raises(DataError, match=r"_blocks.3._project_conv.weight"):
        load_imagenet(LiteEncoder(), tmp_path / "bad.pth")


def test_hairnet_e0_is_a_segmenter_of_the_expected_size():
    net = build("hairnet-e0").eval()
    assert 0.6e6 < count_parameters(net.encoder) < 0.8e6 and count_parameters(net) < 1.0e6
    with torch.no_grad():
        assert net(torch.zeros(1, 3, 96, 128)).shape == (1, 1, 96, 128)
        assert SegmenterExport(net)(torch.zeros(1, 64, 64, 3)).shape == (1, 64, 64, 2)


def photos(truths, teachers, names) -> PhotoSet:
    masks = torch.stack([torch.stack([t, s]) for t, s in zip(truths, teachers, strict=True)]).to(torch.uint8)
    images = torch.zeros(len(names), 3, 8, 8, dtype=torch.uint8)
    return PhotoSet(images, masks, torch.zeros(len(names), 4), names)


def test_hard_photos_are_where_the_teacher_calls_non_hair_hair_on_finely_masked_sets():
    hair = torch.zeros(8, 8)
    hair[:4] = 255
    hat = hair.clone()
    hat[4:6] = 255  # the teacher takes two more rows, a third of what it calls hair
    found = hard_photos(photos([hair, hair, hair], [hair, hat, hat], ["celebamaskhq_hair", "figaro1k",
                                                                         "lfw_parts_hair"]))
    assert found.tolist() == [1]  # the agreeing photo is not hard; LFW's coarse masks are not mined
    with pytest.raises(DataError, match="--pack-teacher"):
        hard_photos(PhotoSet(torch.zeros(1, 3, 8, 8), torch.zeros(1, 1, 8, 8), torch.zeros(1, 4), ["x"]))


def test_an_epoch_sees_every_photo_once_and_each_hard_one_k_times():
    config = TrainConfig(data=[], out="", hard_negatives=3)
    order = _epoch_order(10, config, 0, torch.device("cpu"), torch.tensor([2, 7]))
    counts = torch.bincount(order, minlength=10).tolist()
    assert counts == [1, 1, 3, 1, 1, 1, 1, 3, 1, 1]
    assert order.tolist() != sorted(order.tolist())
    assert _epoch_order(10, TrainConfig(data=[], out=""), 0, torch.device("cpu"), torch.tensor([2])).numel() == 10


def test_with_hard_negatives_the_teacher_is_not_followed_where_it_contradicts_the_truth():
    truth = torch.zeros(1, 1, 4, 4)
    teacher = torch.ones(1, 1, 4, 4)  # calls everything hair
    targets = torch.cat([truth, teacher], dim=1)
    right = torch.full((1, 1, 4, 4), -6.0)  # the student says "not hair", as the truth does
    plain = TrainConfig(data=[], out="", distill=1.0)
    mined = TrainConfig(data=[], out="", distill=1.0, hard_negatives=2)
    assert float(training_loss(right, targets, mined)) < float(training_loss(right, targets, plain)) - 1.0
    # where the teacher only softens the truth (an edge at 0.7), it is still followed
    soft = torch.cat([torch.ones(1, 1, 4, 4), torch.full((1, 1, 4, 4), 0.7)], dim=1)
    logits = torch.zeros(1, 1, 4, 4)
    assert float(training_loss(logits, soft, mined)) == pytest.approx(float(training_loss(logits, soft, plain)))


def test_hard_negatives_below_one_are_a_clear_error(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path), "--out", str(tmp_path / "x"), "--hard-negatives", "0",
                 "--name", "ours"]) == 2
    assert "--hard-negatives" in capsys.readouterr().err


def test_the_model_card_names_where_the_encoder_s_weights_come_from(tmp_path):
    config = {**TrainConfig(data=[], out=str(tmp_path), arch="hairnet-e0", size=224).__dict__}
    state = {"config": config, "history": [], "epochs_done": 1, "steps": 10, "seconds": 60.0}
    card = model_card(build("hairnet-e0"), state, tmp_path / "hairnet.tflite", "0" * 64, "hairnet")
    assert "EfficientNet-Lite0" in card["description"] and "Apache-2.0" in card["pretrained"]["licence"]
    assert "ImageNet" in card["pretrained"]["weights"]
    plain = model_card(build("hairnet2"), {**state, "config": {**config, "arch": "hairnet2"}},
                       tmp_path / "hairnet.tflite", "0" * 64, "hairnet")
    assert "pretrained" not in plain
