// Swagger UI over the emulator's own API documents (listed by the server in
// #emulator-documents). Everything is same-origin: the documents' servers are "/",
// so "Try it out" calls this emulator. ?doc=NAME picks the document shown first;
// ?namespace=NAME sends X-Emulator-Namespace with every request made from the page.
(function () {
  "use strict";
  var documents = JSON.parse(document.getElementById("emulator-documents").textContent);
  var query = new URLSearchParams(window.location.search);
  var namespace = query.get("namespace");
  var wanted = query.get("doc");
  var primary = documents.filter(function (d) { return d.key === wanted || d.name === wanted; })[0] || documents[0];
  window.ui = SwaggerUIBundle({
    urls: documents,
    "urls.primaryName": primary.name,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout",
    validatorUrl: null, // never call validator.swagger.io: the page works offline
    persistAuthorization: true,
    displayOperationId: true,
    filter: true,
    requestInterceptor: function (request) {
      if (namespace) {
        request.headers["X-Emulator-Namespace"] = namespace;
      }
      return request;
    }
  });
})();
