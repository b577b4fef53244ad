"""Scenario -> video (H.264 MP4) + ground-truth JSON. The one place that runs every stage."""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from .. import skeleton
from .camera import place_camera
from .motion import EXERCISES, build_timeline, pose_at
from .posing import Poser, Stance
from .scenario import Scenario
from .truth import (SCHEMA, face_vertices, forward_sign, frames_json, gait_truth, landmark_sources, landmarks33,
                    metrics2d, metrics3d, write_truth)


DEFAULT_AGE_YEARS = 30.0


@dataclass
class RenderResult:
    video: Path | None
    truth: Path
    frames: int
    timings: dict = field(default_factory=dict)


def make_body(scenario: Scenario):
    from .body import Body, age_from_years

    ph = {k: v for k, v in scenario.body.items() if k != "age_years"}
    if "age_years" in scenario.body:
        ph["age"] = age_from_years(float(scenario.body["age_years"]))
    elif "age" not in ph:
        ph["age"] = age_from_years(DEFAULT_AGE_YEARS)  # anny's own default 0.5 is a ~13-year-old
    return Body(ph)


def merged_stance(scenario: Scenario) -> dict:
    """The exercise's default stance with the scenario's settings on top."""
    st = dict(EXERCISES[scenario.exercise]["stance"])
    st.update(scenario.stance)
    return st


def front_foot(scenario: Scenario) -> str:
    st = merged_stance(scenario)
    return "left" if st.get("forward_left", 0.0) >= st.get("forward_right", 0.0) else "right"


def make_poser(scenario: Scenario, body) -> Poser:
    spec = EXERCISES[scenario.exercise]
    st = merged_stance(scenario)
    stance = Stance(width=st.get("width"), toe_out=float(st.get("toe_out", 8.0)),
                    toe_out_left=st.get("toe_out_left"), toe_out_right=st.get("toe_out_right"),
                    forward_left=float(st.get("forward_left", 0.0)), forward_right=float(st.get("forward_right", 0.0)))
    poser = Poser(body.rest, stance, posture=spec["posture"], arms=scenario.arms)
    if spec["posture"] == "sit_long":
        calibrate_seat(poser, body)
    return poser


def calibrate_seat(poser: Poser, body) -> None:
    """Long sitting: put the buttocks and the heels on the floor (two anny passes)."""
    from .motion import SEATED
    from .posing import PoseParams

    lab = body.dominant_bone
    seat = np.isin(lab, ["root", "pelvis.L", "pelvis.R", "upperleg01.L", "upperleg01.R",
                         "upperleg02.L", "upperleg02.R", "spine05"])
    legs = np.isin(lab, ["lowerleg01.L", "lowerleg01.R", "lowerleg02.L", "lowerleg02.R",
                         "foot.L", "foot.R"])
    poser.seat_height, poser.seat_slope = 0.10, 0.0
    p = PoseParams.from_dict(SEATED)
    for _ in range(3):
        V = body.pose(poser.solve(p)).vertices
        poser.seat_height -= V[seat, 2].min()
        # tilt the legs down about the hips until the lowest calf/heel point touches the floor
        hip_y = 0.5 * (body.rest.h("upperleg01.L")[1] + body.rest.h("upperleg01.R")[1])
        low = V[legs]
        k = np.argmin(low[:, 2])
        reach = max(hip_y - low[k, 1], 0.2)
        poser.seat_slope += float(np.degrees(np.arctan2(low[k, 2] - V[seat, 2].min(), reach)))


def render_scenario(scenario: Scenario, outdir: str | Path, *, frames: int | None = None,
                    size: tuple[int, int] | None = None, video: bool = True,
                    progress: Callable[[int, int], None] | None = None) -> RenderResult:
    """Render ``scenario`` to ``outdir/<name>.mp4`` and ``outdir/<name>.truth.json``.

    Args:
        frames: render only the first N frames (the truth covers the same frames).
        size: (width, height) overriding the scenario's; the camera keeps its field of view.
        video: False to write only the truth (no rendering: fast).
        progress: called as progress(done, total) after each frame.
    """
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    W, H = size or scenario.size
    tl = build_timeline(scenario.exercise, scenario.reps, scenario.movement, lead_in=scenario.lead_in,
                        tail=scenario.tail, duration=scenario.duration, front=front_foot(scenario))
    n_total = int(round(tl.duration * scenario.fps))
    N = n_total if frames is None else max(1, min(int(frames), n_total))
    t = np.arange(N) / scenario.fps
    vals, rep, phase = tl.sample(t)

    body = make_body(scenario)
    poser = make_poser(scenario, body)
    timings["load_s"] = time.perf_counter() - t0
    fidx = face_vertices(body.rest_vertices, dict(zip(body.kp.labels, body.rest_coco)))

    # the camera looks at the middle of the first frame's body unless told otherwise
    first = body.pose(poser.solve(pose_at(vals, 0)))
    lo, hi = first.vertices.min(0), first.vertices.max(0)
    cs = scenario.camera
    target = np.array([0.5 * (lo[0] + hi[0]), 0.5 * (lo[1] + hi[1]),
                       cs.target_height if cs.target_height is not None else 0.5 * (lo[2] + hi[2])])
    if tl.walk:  # a walk: look at the middle of the path (the subject walks toward -Y)
        target[1] -= 0.5 * max(k.pose.get("travel", 0.0) for k in tl.keys)
    fov = cs.fov if (cs.fov is not None or cs.focal is not None) else 50.0
    focal = cs.focal * (H / scenario.height) if cs.focal is not None else None
    distance = cs.distance
    if cs.fill is not None:  # frame the person: stature / fill of the frame's height
        vfov = fov if focal is None else math.degrees(2 * math.atan(0.5 * H / focal))
        distance = body.stature / cs.fill / (2 * math.tan(math.radians(vfov) / 2))
    cam = place_camera(cs.azimuth, cs.height, distance, W, H, focal=focal,
                       fov=None if focal is not None else fov, target=target, roll=cs.roll)

    renderer = writer = None
    vpath = outdir / f"{scenario.name}.mp4" if video else None
    L3 = np.empty((N, skeleton.N_LANDMARKS, 3))
    bones = []
    tp = tr = tw = 0.0
    try:
        prop = _prop_mesh(scenario)
        if video:
            from .degrade import Degrader
            from .look import Dresser, vertex_colors
            from .render import Renderer
            from .writer import open_video

            lk = scenario.look
            faces, colors = body.faces, vertex_colors(body, lk)
            dress = Dresser(body, np.asarray(body.faces), lk)
            if prop is not None:
                faces = np.concatenate([faces, prop.faces + len(body.rest_vertices)])
                colors = np.concatenate([colors, prop.colors])
            renderer = Renderer(W, H, faces, colors, background=lk.background,
                                floor=lk.floor, tile=lk.floor_tile, light_dir=lk.light)
            cap = scenario.capture
            degrade = Degrader(cap.get("noise", 0.0), cap.get("blur", 0.0), int(cap.get("seed", 0)))
            writer = open_video(vpath, W, H, scenario.fps, crf=int(cap.get("crf", 20)))
        for f in range(N):
            a = time.perf_counter()
            posed = body.pose(poser.solve(pose_at(vals, f)))
            b = time.perf_counter()
            L3[f] = landmarks33(posed.heads, posed.coco, posed.vertices, fidx)
            bones.append(dict(G=posed.plan.Gall, heads=posed.heads))
            if video:
                V = dress(posed.vertices)
                if prop is not None:
                    from .props import barbell_transform, place

                    V = np.concatenate([V, place(prop, *barbell_transform(posed.heads, posed.plan.Gall))])
                img = degrade(renderer.render(V, cam))
                c = time.perf_counter()
                writer.write(img, float(t[f]))
                tw += time.perf_counter() - c
                tr += c - b
            tp += b - a
            if progress:
                progress(f + 1, N)
        if writer is not None:
            writer.close()
            writer = None
    finally:
        if writer is not None:
            writer.abort()
        if renderer is not None:
            renderer.close()
    timings.update(pose_ms_per_frame=1e3 * tp / N, render_ms_per_frame=1e3 * tr / N,
                   encode_ms_per_frame=1e3 * tw / N)

    L2 = cam.project(L3)
    fs = forward_sign(cam, L3)
    rest = _rest_values(body)
    a3 = metrics3d(L3, bones, rest)
    a2 = metrics2d(L2, fs)
    reps = []
    for r in tl.reps:
        d = r.to_json()
        fb = int(round(r.peak * scenario.fps))
        if fb < N:
            d["at_bottom"] = dict(frame=fb, angles3d={k: round(float(v[fb]), 4) for k, v in a3.items()},
                                  angles2d={k: round(float(v[fb]), 4) for k, v in a2.items()})
        reps.append(d)
    sc = scenario
    doc = dict(
        schema=SCHEMA,
        scenario=dict(sc.source, name=sc.name, exercise=sc.exercise, fps=sc.fps, size=[W, H],
                      duration=tl.duration, posture=tl.posture),
        body=body.describe(),
        world="metres; +X = subject's left, -Y = subject's front (the subject faces -Y), +Z up, floor z = 0",
        camera=dict(cam.to_json(), azimuth=cs.azimuth, height_m=cs.height, distance_m=round(distance, 4),
                    target=target.round(4).tolist(), forward_sign=int(np.median(fs)),
                    forward_sign_note="+1: the subject faces image-right (sagittal_angles' forward_sign)"),
        fps=sc.fps, width=W, height=H, frames_rendered=N, frames_total=n_total,
        video=(vpath.name if vpath else None),
        landmark_names=list(skeleton.NAMES), landmark_sources=landmark_sources(fidx),
        standing=dict(angles3d={k: round(float(v[0]), 4) for k, v in a3.items()},
                      angles2d={k: round(float(v[0]), 4) for k, v in a2.items()}),
        reps=reps,
        frames=frames_json(t, rep, phase, vals, L3, L2, a3, a2),
    )
    if tl.walk:
        from .gait import TOES_UP_DEG

        doc["gait"] = gait_truth(t, reps, L3, a3, TOES_UP_DEG)
    timings["total_s"] = time.perf_counter() - t0
    doc["timings"] = {k: round(v, 3) for k, v in timings.items()}
    tpath = outdir / f"{sc.name}.truth.json"
    write_truth(tpath, doc)
    return RenderResult(vpath, tpath, N, timings)


def _prop_mesh(scenario: Scenario):
    """The scenario's prop mesh (a loaded barbell) or None."""
    p = scenario.props
    if not p.get("barbell"):
        return None
    from .props import PLATE_COLOR, barbell

    return barbell(float(p.get("plate_diameter", 0.45)), int(p.get("plates", 2)), p.get("plate_color", PLATE_COLOR))


def _rest_values(body) -> dict:
    coco = dict(zip(body.kp.labels, body.rest_coco))
    out = dict(foot_length=float(np.mean([np.linalg.norm(coco[f"{s}_big_toe"] - coco[f"{s}_heel"])
                                          for s in ("left", "right")])))
    for side, s, sg in (("left", "L", 1.0), ("right", "R", -1.0)):
        out[f"{side}_heel_z"] = float(coco[f"{side}_heel"][2])
        out[f"{side}_toe_z"] = float(coco[f"{side}_big_toe"][2])
        fwd = body.rest.foot_fwd(s)
        out[f"{side}_foot_fwd"] = fwd
        lat = sg * np.cross([0.0, 0.0, 1.0], fwd)
        out[f"{side}_foot_lat"] = lat / np.linalg.norm(lat)
        shank = body.rest.h(f"lowerleg01.{s}") - body.rest.h(f"foot.{s}")
        out[f"{side}_rest_shank"] = float(np.degrees(np.arctan2(-shank[1], shank[2])))
    return out
