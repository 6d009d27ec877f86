// A file's text, as Vite and Vitest give it for `?raw` imports (ui/src/theme.test.ts reads the theme so).
declare module '*.css?raw' {
  const text: string;
  export default text;
}
