// Style sheets are bundled by esbuild into main.css; importing one yields nothing to TypeScript.
declare module '*.css';
