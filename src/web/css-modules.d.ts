// Stylesheets a component imports (vite bundles them): no exports to type.
declare module '*.css';
