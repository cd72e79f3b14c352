#!/usr/bin/python3
"""Generates the ONNX test fixtures of the image path (io.jrlstream.streams.image) and the benchmark model.

Default (no option): writes, next to this script,
  tiny-cnn.onnx     a tiny CNN (3x32x32 -> 16 features, dynamic batch axis, input "input", output "features"),
                    seeded weights, a few KB
  images/*.png|jpg  small generated test images (RGB, grayscale, RGBA, JPEG; sizes that need resizing and cropping)
  reference.json    the preprocessing settings and, per image, the features PyTorch computes for it

  The reference preprocessing is the one ImagePreprocessor implements in Java: decode (PIL), convert to RGB,
  resize so that the shorter side is RESIZE (bilinear with antialiasing, torch.nn.functional.interpolate(...,
  antialias=True), as PIL and torchvision resize), centre crop 32x32 (torchvision's rounding), divide by 255,
  subtract mean and divide by std per channel, NCHW in RGB order.

--alexnet OUT: writes an AlexNet-architecture extractor with random weights (torchvision.models.alexnet without its
  last layer: fc7, 4096 features, input 3x224x224, dynamic batch) to OUT, for `jrl bench-image`. About 230 MB: never
  commit it (the default OUT lies under target/).

Needs Debian's python3-torch, python3-torchvision, python3-onnx (apt-get install -y ...); run with /usr/bin/python3:
  /usr/bin/python3 streams/src/test/resources/onnx/make_test_model.py
  /usr/bin/python3 streams/src/test/resources/onnx/make_test_model.py --alexnet target/models/alexnet-fc7.onnx
"""
import argparse
import json
import os

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
SIZE = 32
RESIZE = 36
DIM = 16
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


class TinyCnn(torch.nn.Module):
    """Two strided convolutions, 2x2 average pooling and a linear layer: 16 features per image."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 3, stride=2, padding=1)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2, padding=1)
        self.fc = torch.nn.Linear(64, DIM)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.avg_pool2d(x, 4)  # 8x8 -> 2x2: the features still see where things are
        return self.fc(torch.flatten(x, 1))


def export(model, path, size, output="features"):
    model.eval()
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, dummy, path, input_names=["input"], output_names=[output],
                      dynamic_axes={"input": {0: "batch"}, output: {0: "batch"}}, opset_version=13,
                      do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))


def preprocess(path):
    """The reference of ImagePreprocessor: PIL decode, RGB, antialiased bilinear resize, centre crop, normalise."""
    img = Image.open(path).convert("RGB")
    x = torch.from_numpy(np.asarray(img, dtype=np.float32).copy()).permute(2, 0, 1).unsqueeze(0)
    h, w = x.shape[2], x.shape[3]
    if h <= w:
        nh, nw = RESIZE, int(RESIZE * w / h)
    else:
        nh, nw = int(RESIZE * h / w), RESIZE
    x = F.interpolate(x, size=(nh, nw), mode="bilinear", align_corners=False, antialias=True)
    top = int(round((nh - SIZE) / 2.0))
    left = int(round((nw - SIZE) / 2.0))
    x = x[:, :, top:top + SIZE, left:left + SIZE] / 255.0
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


def make_images(folder):
    """Small deterministic images: gradients with a little seeded noise, in several modes and sizes."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(5)

    def pattern(h, w, channels):
        yy, xx = np.mgrid[0:h, 0:w]
        base = [(xx * 255 // max(1, w - 1)), (yy * 255 // max(1, h - 1)), ((xx + yy) * 7 % 256)]
        arr = np.stack(base[:channels], axis=-1).astype(np.int32)
        arr = arr + rng.integers(-20, 21, size=arr.shape)
        return np.clip(arr, 0, 255).astype(np.uint8)

    files = {}
    Image.fromarray(pattern(32, 40, 3), "RGB").save(os.path.join(folder, "rgb-40x32.png"))
    files["rgb-40x32.png"] = "image/png"
    Image.fromarray(pattern(48, 30, 1)[:, :, 0], "L").save(os.path.join(folder, "gray-30x48.png"))
    files["gray-30x48.png"] = "image/png"
    rgba = np.concatenate([pattern(24, 24, 3), np.full((24, 24, 1), 128, np.uint8)], axis=-1)
    Image.fromarray(rgba, "RGBA").save(os.path.join(folder, "rgba-24x24.png"))
    files["rgba-24x24.png"] = "image/png"
    Image.fromarray(pattern(96, 120, 3), "RGB").save(os.path.join(folder, "photo-120x96.jpg"), quality=95,
                                                      subsampling=0)
    files["photo-120x96.jpg"] = "image/jpeg"
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--alexnet", metavar="OUT", help="write the random-weight AlexNet fc7 extractor to OUT")
    args = parser.parse_args()
    torch.manual_seed(7)
    if args.alexnet:
        import torchvision
        net = torchvision.models.alexnet(weights=None)
        net.classifier = net.classifier[:-1]  # drop fc8: the output is fc7 after its ReLU, 4096 features
        os.makedirs(os.path.dirname(os.path.abspath(args.alexnet)), exist_ok=True)
        export(net, args.alexnet, 224)
        print("wrote", args.alexnet)
        return

    model = TinyCnn()
    model.eval()
    export(model, os.path.join(HERE, "tiny-cnn.onnx"), SIZE)
    files = make_images(os.path.join(HERE, "images"))
    refs = {}
    with torch.no_grad():
        for name in sorted(files):
            x = preprocess(os.path.join(HERE, "images", name))
            refs[name] = {"contentType": files[name],
                          "features": [float(v) for v in model(x)[0].tolist()]}
    doc = {"model": "tiny-cnn.onnx", "input": "input", "output": "features", "dim": DIM, "size": SIZE,
           "resize": RESIZE, "mean": MEAN, "std": STD, "channelOrder": "RGB", "pixelScale": 255.0,
           "torch": torch.__version__, "images": refs}
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote tiny-cnn.onnx, reference.json and", len(files), "images to", HERE)


if __name__ == "__main__":
    main()
