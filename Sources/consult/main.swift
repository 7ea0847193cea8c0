import ConsultCLI
import Foundation

exit(await ConsultMain.run())
