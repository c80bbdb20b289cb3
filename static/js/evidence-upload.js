// Evidence upload: drag and drop, one request per file, a progress bar for each.
// Without JavaScript the form posts every chosen file at once and the page reloads.
(function () {
  "use strict";
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    var zone = form.querySelector("[data-dropzone]");
    var list = form.querySelector("[data-upload-list]");
    var pending = [];
    var text = form.dataset;  // the page's translated words: data-text-uploaded, ...

    function show(files) {
      pending = Array.prototype.slice.call(files);
      list.innerHTML = "";
      pending.forEach(function (file) {
        var item = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = file.name;
        var bar = document.createElement("progress");
        bar.max = 100;
        bar.value = 0;
        var status = document.createElement("span");
        status.className = "upload-status";
        item.append(name, bar, status);
        list.appendChild(item);
        file._row = { bar: bar, status: status, item: item };
      });
    }

    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      show(event.dataTransfer.files);
    });
    input.addEventListener("change", function () { show(input.files); });

    function send(file) {
      return new Promise(function (resolve) {
        var data = new FormData(form);
        data.delete("files");
        data.append("files", file, file.name);
        var request = new XMLHttpRequest();
        request.open("POST", form.action);
        request.setRequestHeader("Accept", "application/json");
        request.upload.addEventListener("progress", function (event) {
          if (event.lengthComputable) { file._row.bar.value = Math.round(100 * event.loaded / event.total); }
        });
        request.addEventListener("load", function () {
          var body = {};
          try { body = JSON.parse(request.responseText); } catch (error) { body = {}; }
          if (request.status === 201) {
            file._row.bar.value = 100;
            file._row.status.textContent = body.uploaded && body.uploaded[0] && body.uploaded[0].flagged
              ? text.textFlagged : text.textUploaded;
            file._row.item.className = "is-ok";
          } else {
            var reasons = (body.refused || []).map(function (r) { return r.reason; }).join("; ");
            file._row.status.textContent = reasons || text.textRefused + " (" + request.status + ")";
            file._row.item.className = "is-refused";
          }
          resolve(request.status === 201);
        });
        request.addEventListener("error", function () {
          file._row.status.textContent = text.textFailed;
          file._row.item.className = "is-refused";
          resolve(false);
        });
        request.send(data);
      });
    }

    form.addEventListener("submit", function (event) {
      if (!pending.length) { return; }  // nothing chosen: let the server say so
      event.preventDefault();
      var results = [];
      pending.reduce(function (chain, file) {
        return chain.then(function () {
          return send(file).then(function (ok) { results.push(ok); file._stored = ok; });
        });
      }, Promise.resolve()).then(function () {
        // Upload again sends only what was refused: a stored file is never sent twice.
        pending = pending.filter(function (file) { return !file._stored; });
        // Every file stored: the page reloads with the server's message for each (focus.js
        // puts the focus on them).
        if (results.every(Boolean)) { window.location.reload(); return; }
        if (results.some(Boolean) && !list.querySelector("[data-uploaded-note]")) {
          var note = document.createElement("li");
          note.setAttribute("data-uploaded-note", "");
          var link = document.createElement("a");
          link.href = window.location.href;
          link.textContent = text.textShow;
          note.appendChild(link);
          list.appendChild(note);
        }
      });
    });
  });
})();
