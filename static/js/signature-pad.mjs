// Optional drawn signature: a canvas that fills a hidden field with a PNG.
// Without JavaScript, or without a pointer, the typed name is the signature.
export function initSignaturePads (scope = document) {
  scope.querySelectorAll('[data-module="signature-pad"]').forEach((root) => {
    const canvas = root.querySelector('canvas')
    const input = document.getElementById(root.dataset.input)
    const clear = root.querySelector('[data-action="clear"]')
    const status = root.querySelector('[data-role="status"]')
    if (!canvas || !input) return
    root.hidden = false
    const context = canvas.getContext('2d')
    context.lineWidth = 2.5
    context.lineCap = 'round'
    context.strokeStyle = '#0b0c0c'
    let drawing = false
    let drawn = false

    const point = (event) => {
      const box = canvas.getBoundingClientRect()
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      }
    }
    canvas.addEventListener('pointerdown', (event) => {
      drawing = true
      canvas.setPointerCapture(event.pointerId)
      const { x, y } = point(event)
      context.beginPath()
      context.moveTo(x, y)
    })
    canvas.addEventListener('pointermove', (event) => {
      if (!drawing) return
      const { x, y } = point(event)
      context.lineTo(x, y)
      context.stroke()
      drawn = true
    })
    const finish = () => {
      if (!drawing) return
      drawing = false
      if (drawn) {
        input.value = canvas.toDataURL('image/png')
        status.textContent = 'Your drawn signature will be added.'
      }
    }
    canvas.addEventListener('pointerup', finish)
    canvas.addEventListener('pointercancel', finish)
    clear.addEventListener('click', () => {
      context.clearRect(0, 0, canvas.width, canvas.height)
      input.value = ''
      drawn = false
      status.textContent = 'Drawing cleared. Your typed name will be your signature.'
    })
  })
}
