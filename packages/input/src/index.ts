export { FILE_LIMITS, hashUserFile, readUserBytes, type UserFile, userFileSize } from './files.ts';
