"""Headless OpenGL rendering of the posed body (moderngl on an EGL context: Mesa's llvmpipe on
a CPU-only machine). Needs the Debian packages libegl1, libgl1, libegl-mesa0 and
libgl1-mesa-dri (present on the project's machines).

A `Renderer` owns one GL context and framebuffer of a fixed size; use it as a context manager.
"""
from __future__ import annotations

import numpy as np

from .camera import Camera

_VS = """
#version 330
uniform mat4 mvp;
in vec3 in_pos; in vec3 in_nrm; in vec3 in_col;
out vec3 v_nrm; out vec3 v_col; out vec3 v_pos;
void main(){ gl_Position = mvp * vec4(in_pos, 1.0); v_nrm = in_nrm; v_col = in_col; v_pos = in_pos; }
"""
_FS = """
#version 330
uniform vec3 light_dir; uniform vec3 cam_pos; uniform int is_floor;
uniform vec3 floor_a; uniform vec3 floor_b; uniform float tile;
in vec3 v_nrm; in vec3 v_col; in vec3 v_pos;
out vec4 f_color;
void main(){
  vec3 n = normalize(v_nrm);
  vec3 col = v_col;
  if (is_floor == 1) {
    float c = mod(floor(v_pos.x / tile) + floor(v_pos.y / tile), 2.0);
    col = mix(floor_a, floor_b, c);
  }
  vec3 vdir = normalize(cam_pos - v_pos);
  if (dot(n, vdir) < 0.0) n = -n;
  vec3 l = normalize(light_dir);
  float lam = max(dot(n, l), 0.0);
  float fill = max(dot(n, normalize(vec3(-0.5, -0.6, 0.3))), 0.0);
  float rim = max(dot(n, normalize(vec3(0.2, 0.9, 0.4))), 0.0);
  vec3 h = normalize(l + vdir);
  float spec = pow(max(dot(n, h), 0.0), 30.0) * 0.08;
  vec3 c = col * (0.35 + 0.60 * lam + 0.20 * fill + 0.10 * rim) + spec;
  f_color = vec4(pow(clamp(c, 0.0, 1.0), vec3(1.0 / 1.1)), 1.0);
}
"""


def vertex_normals(V: np.ndarray, F: np.ndarray) -> np.ndarray:
    """Area-weighted smooth vertex normals, (V, 3)."""
    fn = np.cross(V[F[:, 1]] - V[F[:, 0]], V[F[:, 2]] - V[F[:, 0]])
    n = np.zeros_like(V)
    for k in range(3):
        for c in range(3):
            n[:, c] += np.bincount(F[:, k], weights=fn[:, c], minlength=len(V))
    return n / (np.linalg.norm(n, axis=1, keepdims=True) + 1e-12)


class Renderer:
    """Renders a triangle mesh with per-vertex colours over a checkered floor.

    Args:
        width, height: image size in pixels.
        faces: (F, 3) int triangle indices (fixed for the body).
        colors: (V, 3) float RGB in [0, 1] per vertex.
        background: RGB clear colour (the wall behind the subject).
        floor: two RGB colours of the floor tiles; tile: tile size in metres.
        samples: MSAA samples.
    """

    def __init__(self, width: int, height: int, faces: np.ndarray, colors: np.ndarray, *,
                 background=(0.78, 0.80, 0.83), floor=((0.55, 0.50, 0.45), (0.62, 0.57, 0.52)),
                 tile: float = 0.5, light_dir=(0.4, -0.6, 0.8), samples: int = 4):
        import moderngl

        self._mgl = moderngl
        # Versioned sonames: the runtime packages ship libEGL.so.1/libGL.so.1, only -dev the bare .so.
        self.ctx = moderngl.create_standalone_context(backend="egl", libgl="libGL.so.1", libegl="libEGL.so.1")
        self.width, self.height = int(width), int(height)
        ctx = self.ctx
        self.prog = ctx.program(vertex_shader=_VS, fragment_shader=_FS)
        size = (self.width, self.height)
        self.fbo_ms = ctx.framebuffer(color_attachments=[ctx.renderbuffer(size, samples=samples)],
                                      depth_attachment=ctx.depth_renderbuffer(size, samples=samples))
        self.fbo = ctx.framebuffer(color_attachments=[ctx.renderbuffer(size)])
        s = 30.0
        fl = np.array([[-s, -s, 0], [s, -s, 0], [s, s, 0], [-s, -s, 0], [s, s, 0], [-s, s, 0]], "f4")
        fdat = np.hstack([fl, np.tile([0, 0, 1], (6, 1)), np.tile([0.6, 0.6, 0.6], (6, 1))]).astype("f4")
        self._floor_buf = ctx.buffer(fdat.tobytes())
        self.floor_vao = ctx.vertex_array(self.prog, [(self._floor_buf, "3f 3f 3f", "in_pos", "in_nrm", "in_col")])
        self.faces = np.ascontiguousarray(faces, np.int32)
        self.n_vertices = len(colors)
        self._pos = ctx.buffer(reserve=self.n_vertices * 12)
        self._nrm = ctx.buffer(reserve=self.n_vertices * 12)
        self._col = ctx.buffer(np.ascontiguousarray(colors, "f4").tobytes())
        self._idx = ctx.buffer(self.faces.tobytes())
        self.body_vao = ctx.vertex_array(
            self.prog, [(self._pos, "3f", "in_pos"), (self._nrm, "3f", "in_nrm"), (self._col, "3f", "in_col")],
            index_buffer=self._idx, index_element_size=4)
        self.background = tuple(float(c) for c in background)
        self.prog["floor_a"].value = tuple(float(c) for c in floor[0])
        self.prog["floor_b"].value = tuple(float(c) for c in floor[1])
        self.prog["tile"].value = float(tile)
        self.prog["light_dir"].value = tuple(float(c) for c in light_dir)

    def set_colors(self, colors: np.ndarray) -> None:
        self._col.write(np.ascontiguousarray(colors, "f4").tobytes())

    def render(self, vertices: np.ndarray, camera: Camera) -> np.ndarray:
        """RGB uint8 image (height, width, 3) of the body posed at ``vertices`` (V, 3)."""
        if (camera.width, camera.height) != (self.width, self.height):
            raise ValueError("camera size differs from the renderer's")
        mgl, ctx = self._mgl, self.ctx
        V = np.asarray(vertices, np.float64)
        self._pos.write(V.astype("f4").tobytes())
        self._nrm.write(vertex_normals(V, self.faces).astype("f4").tobytes())
        self.fbo_ms.use()
        ctx.clear(*self.background, 1.0)
        ctx.enable(mgl.DEPTH_TEST)
        self.prog["mvp"].write(camera.gl_mvp().T.astype("f4").tobytes())
        self.prog["cam_pos"].value = tuple(float(c) for c in camera.eye)
        self.prog["is_floor"].value = 1
        self.floor_vao.render()
        self.prog["is_floor"].value = 0
        self.body_vao.render()
        ctx.copy_framebuffer(self.fbo, self.fbo_ms)
        img = np.frombuffer(self.fbo.read(components=3), np.uint8).reshape(self.height, self.width, 3)
        return np.ascontiguousarray(img[::-1])

    def close(self) -> None:
        self.ctx.release()

    def __enter__(self) -> "Renderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
