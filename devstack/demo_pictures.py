"""The demo's pictures, drawn with Pillow when the demo loads (no image files in the repository):
a portrait for Dr Martin and a photo of her training's skills lab, uploaded through the API."""

from __future__ import annotations

import io
from typing import Any

import requests
from PIL import Image, ImageDraw

PORTRAIT_ALT = "Dr Claire Martin in her white coat"
PHOTO_ALT = "The skills lab: a catheterisation simulator on its table, monitors above it"


def portrait() -> bytes:
    """A head-and-shoulders silhouette in a white coat, on a soft blue background (JPEG)."""
    image = Image.new("RGB", (640, 800), (196, 214, 232))
    draw = ImageDraw.Draw(image)
    for y in range(800):  # a vertical gradient, lighter at the top
        shade = 232 - y // 20
        draw.line([(0, y), (640, y)], fill=(shade - 36, shade - 18, shade))
    draw.ellipse((110, 560, 530, 1000), fill=(246, 246, 244))  # the coat's shoulders
    draw.polygon([(320, 600), (270, 800), (370, 800)], fill=(40, 70, 120))  # the shirt under it
    draw.rectangle((285, 470, 355, 600), fill=(224, 182, 150))  # the neck
    draw.ellipse((200, 220, 440, 500), fill=(230, 190, 160))  # the face
    draw.chord((190, 190, 450, 420), 180, 360, fill=(92, 60, 40))  # the hair
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def skills_lab() -> bytes:
    """A simulator on a draped table under two monitors, in a bright room (JPEG, 4:3)."""
    image = Image.new("RGB", (1600, 1200), (236, 240, 243))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 820, 1600, 1200), fill=(170, 180, 190))  # the floor
    for x in (360, 880):  # two monitors on their arms
        draw.rectangle((x, 180, x + 360, 420), fill=(30, 34, 40))
        draw.line([(x + 40, 350), (x + 120, 260), (x + 200, 330), (x + 320, 230)], fill=(90, 220, 120), width=6)
        draw.line([(x + 180, 420), (x + 180, 520)], fill=(120, 120, 120), width=12)
    draw.rectangle((240, 600, 1360, 700), fill=(70, 140, 160))  # the table, draped
    draw.rectangle((280, 700, 320, 900), fill=(120, 120, 120))
    draw.rectangle((1280, 700, 1320, 900), fill=(120, 120, 120))
    draw.ellipse((560, 520, 1040, 640), fill=(226, 196, 170))  # the simulator's torso
    draw.line([(1040, 590), (1300, 560)], fill=(240, 240, 240), width=8)  # a catheter
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def add_pictures(http: requests.Session, base_url: str, token: str, training: dict[str, Any]) -> None:
    """Dr Martin's portrait and her training's photo, unless they are there already (idempotent)."""
    headers = {"Authorization": f"Bearer {token}"}
    me = http.get(f"{base_url}/api/v1/me", headers=headers, timeout=10).json()
    if not me.get("portrait"):
        sent = http.put(f"{base_url}/api/v1/me/portrait", headers=headers, data={"alt": PORTRAIT_ALT},
                        files={"portrait": ("martin.jpg", portrait(), "image/jpeg")}, timeout=30)  # fmt: skip
        sent.raise_for_status()
    if not training.get("photos"):
        sent = http.post(f"{base_url}/api/v1/trainings/{training['id']}/photos", headers=headers,
                         data={"alt": PHOTO_ALT}, files={"photo": ("lab.jpg", skills_lab(), "image/jpeg")},
                         timeout=30)  # fmt: skip
        sent.raise_for_status()
        training["photos"] = sent.json()["photos"]
