export { githubPagesProvider, pagesUrlOf, type GithubPagesSettings } from './github-pages.provider';
