// Starts GraphiQL (the @graphql-yoga/graphiql bundle, loaded before this script) with what the
// page carries: its options, and where this server serves the editor's workers. A file of its
// own rather than an inline script, so the page's CSP can refuse every inline script.
const { options, workers } = JSON.parse(document.getElementById('graphiql-config').textContent);
self.MonacoEnvironment = {
  globalAPI: false,
  getWorkerUrl: (_moduleId, label) => workers[label] ?? workers.editorWorkerService,
};
YogaGraphiQL.renderYogaGraphiQL(document.getElementById('root'), options);
