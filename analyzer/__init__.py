"""kinetic: a local, privacy-first squat and footwork analyzer that explains the kinetic chain.

Layers: capture (frames) -> pose (MediaPipe) -> signals -> kinematics/view -> exercises (reps,
faults, chain) -> outputs (summary, frames.csv, replay, report). Everything after ``pose`` is
pure numpy and never imports cv2 or mediapipe.
"""
__version__ = "0.1.0"
