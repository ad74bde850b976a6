// LSTM-BPTT course: a hand-written JupyterLab federated extension (no build step).
// RISE's slideshow page (jupyterlab-rise 0.42) is built without @jupyterlab/console, which the widget
// manager of ipywidgets 8 (jupyterlab_widgets 3) imports, so no slider could render in a slideshow.
// When the page lacks that module, init() shares a stand-in: a token nobody provides (the widget
// manager asks for the console tracker as optional, and gets none). JupyterLab itself has the real
// module, so there this extension does nothing.
(function () {
  var registry = (window._JUPYTERLAB = window._JUPYTERLAB || {});
  registry["lstm-bptt-rise-widgets"] = {
    init: async function (scope) {
      if (scope["@jupyterlab/console"] || !scope["@lumino/coreutils"]) {
        return;
      }
      var versions = scope["@lumino/coreutils"];
      var coreutils = (await versions[Object.keys(versions)[0]].get())();
      var standIn = {
        IConsoleTracker: new coreutils.Token("@jupyterlab/console:IConsoleTracker"),
        CodeConsole: function CodeConsole() {},
        ConsolePanel: function ConsolePanel() {}
      };
      scope["@jupyterlab/console"] = {
        "4.0.0": {
          get: function () { return Promise.resolve(function () { return standIn; }); },
          from: "lstm-bptt-rise-widgets",
          eager: false,
          loaded: 1
        }
      };
    },
    get: async function (module) {
      if (module !== "./extension") {
        throw new Error("lstm-bptt-rise-widgets has no module " + module);
      }
      return function () {
        return {
          __esModule: true,
          default: [{ id: "lstm-bptt-rise-widgets:plugin", autoStart: true, activate: function () {} }]
        };
      };
    }
  };
})();
