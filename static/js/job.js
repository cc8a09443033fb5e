// The job page follows a running job: its progress bar moves, and the page reloads when the job is done.
(function () {
  "use strict";
  var section = document.querySelector("[data-poll]");
  if (!section) return;
  var bar = section.querySelector("[data-testid=job-progress]");
  var status = section.querySelector("[data-testid=job-status]");
  function poll() {
    fetch(section.getAttribute("data-poll"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { window.setTimeout(poll, 5000); return; }
        if (job.finished) { window.location.reload(); return; }
        if (job.percent !== null) { bar.value = job.percent; bar.textContent = job.percent + "%"; }
        status.textContent = job.status_name;
        window.setTimeout(poll, 1500);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
