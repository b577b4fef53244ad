"use strict";
// kinetic compare: a rep row seeks both replays to that rep's bottom; one button plays both.
(function () {
  var data = JSON.parse(document.getElementById("kinetic-data").textContent);
  var va = document.getElementById("video-a"), vb = document.getElementById("video-b");
  var byIndex = {};
  data.reps.forEach(function (r) { byIndex[r.index] = r; });
  function seek(v, t) { if (v && t !== null && t !== undefined) { v.pause(); v.currentTime = t; } }
  document.querySelectorAll("tr.rep").forEach(function (row) {
    row.addEventListener("click", function () {
      var r = byIndex[Number(row.getAttribute("data-rep"))];
      if (!r) { return; }
      seek(va, r.a); seek(vb, r.b);
      document.body.setAttribute("data-seeked", String(r.index));
    });
  });
  var both = document.getElementById("play-both");
  both.addEventListener("click", function () {
    [va, vb].forEach(function (v) { if (v) { v.play(); } });
  });
  document.body.setAttribute("data-ready", "1");
})();
