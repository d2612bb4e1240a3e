"""Labels, places and groups from an image classifier's beliefs (no model loaded)."""
import numpy as np

from models.frames import FrameFacts
from models.objects import GROUPS, PLACES, _class_names, in_view

NAMES = _class_names()


def beliefs(**shares):
    p = np.full(len(NAMES), 0.0, np.float32)
    for name, share in shares.items():
        p[NAMES.index(name.replace("_", " "))] = share
    return p


def test_every_place_and_group_member_is_an_imagenet_class():
    assert len(NAMES) == 1000 and NAMES[0] == "tench"
    assert set(PLACES) <= set(NAMES)
    assert all(set(members) <= set(NAMES) for members in GROUPS.values())


def test_a_place_leads_the_caption_and_the_floor_drops_guesses():
    seen = in_view(beliefs(dining_table=0.4, restaurant=0.12, plate=0.09, toyshop=0.05), NAMES)
    assert [n for n, _ in seen.labels] == ["dining table", "restaurant", "plate"]  # toyshop: under the floor
    assert seen.place == "at a dining table" and "a meal" in seen.groups
    facts = FrameFacts(faces=1, text="EXIT", brightness=0.8, colour="yellow", sharpness=100, in_view=seen)
    assert facts.caption() == 'at a dining table, in a restaurant, plate in view (a meal); one face; text: "EXIT"'


def test_many_small_beliefs_still_make_a_group_and_nothing_sure_says_only_the_light():
    spread = beliefs(pizza=0.06, plate=0.06, cheeseburger=0.05)
    seen = in_view(spread, NAMES)
    assert seen.labels == [] and seen.groups == ("a meal",)
    assert FrameFacts(sharpness=100, in_view=seen).caption() == "a meal, perhaps"
    unsure = FrameFacts(brightness=0.8, colour="yellow", sharpness=100, in_view=in_view(beliefs(tench=0.02), NAMES))
    assert unsure.caption() == "bright scene, mostly yellow"
