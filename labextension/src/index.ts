/**
 * jupyter-coding: open a field-notes markdown file as a notebook in JupyterLab.
 *
 * The server side (jupyter_coding.contents) serves a field-notes `.md` as a
 * notebook when it is asked for one and writes only the `.md` on save. This
 * plugin only makes JupyterLab ask: a second notebook widget factory, "Field
 * Notes", for markdown files, so that right-click -> Open With -> Field Notes
 * opens the file as a notebook. Everything the notebook factory has (toolbar,
 * widget extensions, the tracker that notebook commands and shortcuts act on)
 * is given to it too.
 *
 * Field-notes files are told apart from other markdown by the server (it reads
 * their header); the file browser shows them with their own file type, and the
 * setting `openFieldNotesAsNotebooks` (or the command palette's "Open Field
 * Notes as Notebooks by Default") makes Field Notes their default viewer. Other
 * markdown files keep opening in the editor.
 */

import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IToolbarWidgetRegistry,
  WidgetTracker,
  createToolbarFactory
} from '@jupyterlab/apputils';
import { IEditorServices } from '@jupyterlab/codeeditor';
import { PathExt, URLExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import {
  INotebookTracker,
  INotebookWidgetFactory,
  NotebookPanel,
  NotebookWidgetFactory
} from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ServerConnection } from '@jupyterlab/services';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { IDisposable } from '@lumino/disposable';

const PLUGIN_ID = 'jupyter-coding:plugin';
/** The widget factory's name: what Open With shows. */
export const FACTORY = 'Field Notes';
/** The file type of markdown files the server recognised as field notes. */
export const FILE_TYPE = 'jupyter-coding-field-notes';
const TOGGLE_DEFAULT = 'jupyter-coding:toggle-open-by-default';
const SETTING_DEFAULT = 'openFieldNotesAsNotebooks';
/** A pattern no file name matches: the file type before any folder was read. */
const NO_NAME = '^(?!)$';

/** Escape a file name for a regular expression. */
function literal(name: string): string {
  return name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The names of the field-notes files in a folder, as the server reads them
 * (`GET jupyter-coding/field-notes?path=FOLDER`); none when it cannot say.
 */
async function fieldNotesIn(folder: string): Promise<string[]> {
  const settings = ServerConnection.makeSettings();
  const url =
    URLExt.join(settings.baseUrl, 'jupyter-coding', 'field-notes') +
    URLExt.objectToQueryString({ path: folder });
  try {
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (!response.ok) {
      return [];
    }
    const data = (await response.json()) as { field_notes?: string[] };
    return Array.isArray(data.field_notes) ? data.field_notes : [];
  } catch {
    return [];
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Open field-notes markdown files as notebooks (jupyter_coding).',
  autoStart: true,
  requires: [
    NotebookPanel.IContentFactory,
    IEditorServices,
    IRenderMimeRegistry,
    INotebookWidgetFactory,
    INotebookTracker,
    IToolbarWidgetRegistry,
    ISettingRegistry
  ],
  optional: [ITranslator, ICommandPalette, IDefaultFileBrowser],
  activate: async (
    app: JupyterFrontEnd,
    contentFactory: NotebookPanel.IContentFactory,
    editorServices: IEditorServices,
    rendermime: IRenderMimeRegistry,
    notebookFactory: NotebookWidgetFactory.IFactory,
    notebookTracker: INotebookTracker,
    toolbarRegistry: IToolbarWidgetRegistry,
    settingRegistry: ISettingRegistry,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    fileBrowser: IDefaultFileBrowser | null
  ) => {
    translator = translator ?? nullTranslator;
    const trans = translator.load('jupyter_coding');
    const { docRegistry, commands } = app;
    const notebookType = docRegistry.getFileType('notebook');
    const markdownType = docRegistry.getFileType('markdown');

    // -- the file type of field-notes files (names learnt from the server) --
    const known = new Set<string>(); // paths of field-notes files
    let fileType: IDisposable | null = null;
    const registerFileType = () => {
      const names = new Set([...known].map(path => PathExt.basename(path)));
      const pattern = names.size
        ? `^(${[...names].map(literal).join('|')})$`
        : NO_NAME;
      fileType?.dispose();
      fileType = docRegistry.addFileType({
        name: FILE_TYPE,
        displayName: trans.__('Field notes'),
        extensions: [],
        pattern,
        mimeTypes: ['text/markdown'],
        contentType: 'file',
        fileFormat: 'text',
        icon: markdownType?.icon ?? notebookType?.icon
      });
    };
    registerFileType();

    // -- the "Field Notes" widget factory: the notebook's, on markdown files --
    const toolbarFactory = createToolbarFactory(
      toolbarRegistry,
      settingRegistry,
      'Notebook',
      '@jupyterlab/notebook-extension:panel',
      translator
    );
    const factory = new NotebookWidgetFactory({
      name: FACTORY,
      label: trans.__('Field Notes'),
      fileTypes: ['markdown', FILE_TYPE],
      modelName: notebookFactory.modelName ?? 'notebook',
      preferKernel: notebookFactory.preferKernel ?? true,
      canStartKernel: notebookFactory.canStartKernel ?? true,
      rendermime,
      contentFactory,
      editorConfig: notebookFactory.editorConfig,
      notebookConfig: notebookFactory.notebookConfig,
      mimeTypeService: editorServices.mimeTypeService,
      toolbarFactory,
      translator
    });
    docRegistry.addWidgetFactory(factory);
    for (const extension of docRegistry.widgetExtensions('Notebook')) {
      docRegistry.addWidgetExtension(FACTORY, extension);
    }
    // Notebook commands and shortcuts act on the notebook tracker's widgets;
    // the tracker's interface hides `add`, its class has it.
    const tracker = notebookTracker as unknown as WidgetTracker<NotebookPanel>;
    let count = 0;
    factory.widgetCreated.connect((_, widget: NotebookPanel) => {
      widget.id = widget.id || `jupyter-coding-field-notes-${++count}`;
      widget.title.icon = notebookType?.icon;
      widget.context.pathChanged.connect(() => void tracker.save(widget));
      void tracker.add(widget);
    });

    // -- Field Notes as the default viewer of field-notes files ------------
    let openByDefault = false;
    const applyDefault = () => {
      docRegistry.setDefaultWidgetFactory(
        FILE_TYPE,
        openByDefault ? FACTORY : undefined
      );
    };
    const settings = await settingRegistry.load(PLUGIN_ID).catch(() => null);
    const readSettings = () => {
      openByDefault = settings?.get(SETTING_DEFAULT).composite === true;
      applyDefault();
    };
    if (settings) {
      readSettings();
      settings.changed.connect(readSettings);
    }
    commands.addCommand(TOGGLE_DEFAULT, {
      label: trans.__('Open Field Notes as Notebooks by Default'),
      caption: trans.__(
        'Double-clicking a field-notes file opens it as a notebook (other markdown files still open in the editor)'
      ),
      isToggled: () => openByDefault,
      execute: async () => {
        openByDefault = !openByDefault;
        applyDefault();
        await settings?.set(SETTING_DEFAULT, openByDefault);
      }
    });
    palette?.addItem({ command: TOGGLE_DEFAULT, category: 'Field Notes' });

    // -- `jupyter-coding lab STUDY FILE` opens FILE as Field Notes ----------
    const requested = new URLSearchParams(window.location.search).get(
      'field-notes'
    );
    if (requested) {
      void app.restored.then(() =>
        commands.execute('docmanager:open', {
          path: requested,
          factory: FACTORY
        })
      );
    }

    // -- learn which markdown files of the browsed folder are field notes ---
    if (fileBrowser) {
      const model = fileBrowser.model;
      const learn = async () => {
        const folder = model.path;
        const names = await fieldNotesIn(folder);
        const paths = names.map(name => PathExt.join(folder, name));
        const before = known.size;
        const fresh = paths.filter(path => !known.has(path));
        paths.forEach(path => known.add(path));
        if (fresh.length && known.size !== before) {
          registerFileType();
          applyDefault();
          // draw them with their file type; the refresh learns nothing new, so it ends here
          void model.refresh();
        }
      };
      model.pathChanged.connect(() => void learn());
      model.refreshed.connect(() => void learn());
      void learn();
    }
  }
};

export default plugin;
