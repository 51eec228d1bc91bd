// Starts Swagger UI on the tenant's OpenAPI document named by data-spec (no inline script).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof SwaggerUIBundle !== "function") { return; }
  SwaggerUIBundle({ url: root.getAttribute("data-spec"), dom_id: "#swagger-ui",
                    deepLinking: true, withCredentials: true });
}());
