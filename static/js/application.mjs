import { initAll } from './govuk-frontend.min.js'
import { initSignaturePads } from './signature-pad.mjs'

initAll()
initSignaturePads()
