// The browsable API page: Swagger UI on the server's own document, asked for (and tried out) with the
// token the fleet UI signed in with in this tab; without one, a way to sign in.
const TOKEN_KEY = 'opampfleet.token';
const token = sessionStorage.getItem(TOKEN_KEY);
const root = document.getElementById('swagger-ui');
if (!token) {
  const note = document.createElement('p');
  note.className = 'docs-signin';
  note.append('The API document needs a token: sign in on ');
  const link = document.createElement('a');
  link.href = '/';
  link.textContent = 'the fleet UI';
  note.append(link, ', then come back to API in its menu.');
  root.append(note);
} else {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    requestInterceptor: (request) => {
      request.headers.Authorization = 'Bearer ' + token;
      return request;
    },
  });
}
